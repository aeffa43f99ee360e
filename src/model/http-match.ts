import { EgressValidationError } from './errors';
import { describeHttpMatch } from './http-match-text';
import { HttpPath, HttpPathModel } from './http-path';

/** What an {@link HttpMatch} looks at. */
export enum HttpMatchKind {
  /** Plain HTTP: methods, paths and the Host header. */
  HTTP = 'http',
  /** TLS passed through: only the server name (SNI) is visible. */
  TLS = 'tls',
  /** The application speaks plain HTTP to the mesh's egress point, which originates TLS to the destination. */
  ORIGINATE_TLS = 'originate-tls',
}

/** What an HTTP rule allows (every field narrows; an empty match allows every request). */
export interface HttpMatchOptions {
  /**
   * HTTP methods, upper case ("GET", "POST").
   * @default - every method
   */
  readonly methods?: string[];
  /**
   * Request paths.
   * @default - every path
   */
  readonly paths?: HttpPath[];
  /**
   * Host header values (exact names or "*.example.com").
   * @default - the rule's destinations, whatever Host is sent
   */
  readonly hosts?: string[];
}

/** A TLS rule: what the mesh can see of TLS it does not terminate. */
export interface TlsMatchOptions {
  /**
   * Server names (SNI) allowed, each among the rule's domain names.
   * @default - the rule's domain names
   */
  readonly sniHosts?: string[];
}

/** An HTTP rule whose TLS the mesh's egress point originates. */
export interface TlsOriginationOptions extends HttpMatchOptions {
  /**
   * The port the application sends plain HTTP to; the egress point connects to the rule's port with TLS.
   * @default 80
   */
  readonly appPort?: number;
  /**
   * A Secret in the egress point's namespace holding the CA (`ca.crt`) the egress point verifies the destination's
   * certificate with (Istio's DestinationRule `credentialName`, TLS mode SIMPLE: no client certificate is sent).
   * @default - the egress point's system trust store
   */
  readonly credentialName?: string;
}

/** The plain-data form of an {@link HttpMatch}, as the egress model holds it. */
export interface HttpMatchModel {
  /** "http", "tls" or "originate-tls". */
  readonly kind: string;
  /** Methods allowed, sorted; empty: every method. */
  readonly methods: string[];
  /** Paths allowed, sorted by their text; empty: every path. */
  readonly paths: HttpPathModel[];
  /** Host header values (http, originate-tls) or server names (tls), sorted; empty: the rule's destinations. */
  readonly hosts: string[];
  /**
   * originate-tls: the port the application sends plain HTTP to.
   * @default - not originated
   */
  readonly appPort?: number;
  /**
   * originate-tls: the Secret with the CA (and client certificate) the egress point uses.
   * @default - the system trust store
   */
  readonly credentialName?: string;
}

const METHOD = /^[A-Z]+$/;
// RFC 1123 host names, optionally with a leading "*." wildcard (the forms Istio's hosts take).
const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SECRET = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The layer-7 part of a rule: which HTTP requests (or, for TLS, which server names) it allows. Only a mesh backend
 * (`Backend.istio()`) enforces it; the zone's network backend enforces the rule's addresses and ports.
 *
 * `HttpMatch.http({ methods: ['GET'], paths: [HttpPath.prefix('/v1/')] })` for plain HTTP, `HttpMatch.tls()` for
 * TLS the mesh passes through (server name only), `HttpMatch.originateTls({...})` for HTTP the egress point sends
 * on with TLS. `toString()` is canonical and is the match's identity.
 */
export class HttpMatch {
  /** Plain HTTP requests: methods, paths and Host headers. */
  public static http(options: HttpMatchOptions = {}): HttpMatch {
    return HttpMatch.of('HttpMatch.http()', HttpMatchKind.HTTP, options, {});
  }

  /** TLS the mesh passes through: it sees only the server name (SNI), never methods or paths. */
  public static tls(options: TlsMatchOptions = {}): HttpMatch {
    return HttpMatch.of('HttpMatch.tls()', HttpMatchKind.TLS, { hosts: options.sniHosts }, {});
  }

  /**
   * Plain HTTP from the application (to `appPort`) that the egress point sends on with TLS to the rule's port:
   * the mesh sees, and so can allow, methods and paths of HTTPS traffic. The egress point verifies the
   * destination's certificate (see `credentialName`).
   */
  public static originateTls(options: TlsOriginationOptions = {}): HttpMatch {
    const factory = 'HttpMatch.originateTls()';
    const appPort = options.appPort ?? 80;
    if (!Number.isInteger(appPort) || appPort < 1 || appPort > 65535) {
      throw EgressValidationError.inFactory(factory, 'appPort', String(appPort), 'is not a port number (1-65535)', 'the port the application sends plain HTTP to, e.g. 80');
    }
    if (options.credentialName !== undefined && (options.credentialName.length > 253 || !SECRET.test(options.credentialName))) {
      throw EgressValidationError.inFactory(factory, 'credentialName', options.credentialName, 'is not a Secret name (a DNS-1123 subdomain)');
    }
    return HttpMatch.of(factory, HttpMatchKind.ORIGINATE_TLS, options, { appPort, credentialName: options.credentialName });
  }

  /** The match read back from its model. */
  public static fromModel(model: HttpMatchModel): HttpMatch {
    const paths = model.paths.map(p => HttpPath.fromModel(p));
    if (model.kind === HttpMatchKind.HTTP) return HttpMatch.http({ methods: model.methods, paths, hosts: model.hosts });
    if (model.kind === HttpMatchKind.TLS) return HttpMatch.tls({ sniHosts: model.hosts });
    if (model.kind === HttpMatchKind.ORIGINATE_TLS) {
      const { appPort, credentialName } = model;
      return HttpMatch.originateTls({ methods: model.methods, paths, hosts: model.hosts, appPort, credentialName });
    }
    throw EgressValidationError.inFactory('HttpMatch.fromModel()', 'kind', model.kind, 'is not "http", "tls" or "originate-tls"');
  }

  private static of(factory: string, kind: HttpMatchKind, options: HttpMatchOptions, tls: { appPort?: number; credentialName?: string }): HttpMatch {
    const methods = [...new Set(options.methods ?? [])].sort();
    for (const m of methods) {
      if (typeof m !== 'string' || !METHOD.test(m)) {
        throw EgressValidationError.inFactory(factory, 'methods', m, 'is not an HTTP method in upper case', 'e.g. "GET", "POST"');
      }
    }
    const hosts = [...new Set((options.hosts ?? []).map(h => String(h).toLowerCase().replace(/\.$/, '')))].sort();
    for (const h of hosts) {
      if (h.length > 253 || !HOST.test(h)) {
        throw EgressValidationError.inFactory(factory, kind === HttpMatchKind.TLS ? 'sniHosts' : 'hosts', h, 'is not a host name (RFC 1123, optionally starting with "*.")',
          'e.g. "api.example.com"');
      }
    }
    const byText = new Map((options.paths ?? []).map(p => [p.toString(), p]));
    const paths = [...byText.keys()].sort().map(k => byText.get(k)!);
    return new HttpMatch(kind, methods, paths, hosts, tls.appPort, tls.credentialName);
  }

  private constructor(
    /** What the match looks at. */
    public readonly kind: HttpMatchKind,
    /** Methods allowed, sorted; empty: every method. */
    public readonly methods: string[],
    /** Paths allowed; empty: every path. */
    public readonly paths: HttpPath[],
    /** Host headers (http) or server names (tls) allowed, sorted; empty: the rule's destinations. */
    public readonly hosts: string[],
    /** originate-tls: the port the application sends plain HTTP to. */
    public readonly appPort?: number,
    /** originate-tls: the Secret with the CA (and client certificate). */
    public readonly credentialName?: string) {}

  /** The plain-data form. */
  public toModel(): HttpMatchModel {
    return {
      kind: this.kind,
      methods: [...this.methods],
      paths: this.paths.map(p => p.toModel()),
      hosts: [...this.hosts],
      ...(this.appPort !== undefined ? { appPort: this.appPort } : {}),
      ...(this.credentialName !== undefined ? { credentialName: this.credentialName } : {}),
    };
  }

  /** Canonical text: "http GET,POST /v1/* host=api.example.com", "tls sni=api.example.com", "originate-tls:80 GET". */
  public toString(): string {
    return describeHttpMatch(this.toModel());
  }
}
