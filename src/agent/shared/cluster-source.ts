import { log } from './log';
import { ObservedCluster, parseObservedCluster } from './observed-state';
import { WatchedFile } from './watched-file';
import { DataPathConfig } from '../../datapath';

/** Where the Kubernetes-facing inputs come from: a state file, or the API server (adapter). */
export interface ClusterSource {
  /** Calls `onUpdate` with each complete view (the first call marks the first complete sync). */
  start(config: DataPathConfig, onUpdate: (observed: ObservedCluster) => void): Promise<void>;
  stop(): void;
}

/** A JSON state file, re-read on change: runs the agents without a cluster (tests, debugging). */
export class StateFileSource implements ClusterSource {
  private file?: WatchedFile;
  private config?: DataPathConfig;
  private lastText?: string;
  private onUpdate?: (o: ObservedCluster) => void;

  constructor(private readonly path: string) {}

  public async start(config: DataPathConfig, onUpdate: (observed: ObservedCluster) => void): Promise<void> {
    this.config = config;
    this.onUpdate = onUpdate;
    if (this.file) return this.reparse();
    this.file = new WatchedFile(this.path, (text) => {
      this.lastText = text;
      this.reparse();
    });
    this.file.check();
  }

  public stop(): void {
    this.file?.close();
  }

  private reparse(): void {
    if (this.lastText === undefined || !this.config) return;
    try {
      this.onUpdate!(parseObservedCluster(this.lastText, this.config));
    } catch (e) {
      log('error', 'state file rejected; keeping the previous view', { path: this.path, error: (e as Error).message });
    }
  }
}
