import { DnsModel, ZoneMembersModel } from '../model/egress-model-document';
import { MeshModel } from '../model/mesh-model';

// What constructs hand to the model builder (model-builder.ts): declarations, before references are resolved.

/** A zone as its construct declares it; the builder resolves references and the exit. */
export interface ZoneDeclaration {
  readonly name: string;
  readonly path: string;
  readonly backend: string;
  readonly description?: string;
  readonly members: ZoneMembersModel;
  readonly dns?: DnsModel;
  readonly inCluster: string;
  readonly allowApiServer: boolean;
  readonly natPools: string[];
  readonly gateway?: string;
  readonly failOpen: boolean;
  readonly order: number;
  readonly tier: string;
  readonly tierOrder?: number;
  readonly enforcement?: string;
  readonly mesh?: MeshModel;
}

/** A destination set as declared: entries not yet aggregated. */
export interface DestinationSetDeclaration {
  readonly name: string;
  readonly path: string;
  readonly description?: string;
  readonly entries: { cidr: string; description?: string }[];
  readonly domains: string[];
  readonly labels: { [key: string]: string };
  readonly namespace?: string;
  readonly inline?: boolean;
}
