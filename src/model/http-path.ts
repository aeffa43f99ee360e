import { EgressValidationError } from './errors';

/** How an {@link HttpPath} matches a request's path. */
export enum HttpPathMatch {
  /** The path is exactly the value. */
  EXACT = 'exact',
  /** The path starts with the value. */
  PREFIX = 'prefix',
}

/** The plain-data form of an {@link HttpPath}, as the egress model holds it. */
export interface HttpPathModel {
  /** "exact" or "prefix". */
  readonly match: string;
  /** The path (exact), or what it starts with (prefix). */
  readonly value: string;
}

// An absolute path of RFC 3986 path characters: no query, fragment, space or "*" (the mesh's own wildcard).
const PATH = /^\/[A-Za-z0-9\-._~!$&'()+,;=:@%/]*$/;

/**
 * A request path an HTTP rule allows: `HttpPath.exact('/v1/charges')` or `HttpPath.prefix('/v1/')`.
 * `toString()` is canonical ("/v1/charges", "/v1/*") and is the path's identity.
 */
export class HttpPath {
  /** Exactly this path. */
  public static exact(path: string): HttpPath {
    return new HttpPath(HttpPathMatch.EXACT, checked('HttpPath.exact()', path));
  }

  /** Every path that starts with `prefix` ("/v1/" allows "/v1/charges" and "/v1/refunds/7"). */
  public static prefix(prefix: string): HttpPath {
    return new HttpPath(HttpPathMatch.PREFIX, checked('HttpPath.prefix()', prefix));
  }

  /** The path read back from its model. */
  public static fromModel(model: HttpPathModel): HttpPath {
    if (model.match === HttpPathMatch.EXACT) return HttpPath.exact(model.value);
    if (model.match === HttpPathMatch.PREFIX) return HttpPath.prefix(model.value);
    throw EgressValidationError.inFactory('HttpPath.fromModel()', 'match', model.match, 'is not "exact" or "prefix"');
  }

  private constructor(
    /** How the path matches. */
    public readonly match: HttpPathMatch,
    /** The path, or its prefix. */
    public readonly value: string) {}

  /** Whether a request for `path` matches. */
  public matches(path: string): boolean {
    return this.match === HttpPathMatch.EXACT ? path === this.value : path.startsWith(this.value);
  }

  /** The plain-data form. */
  public toModel(): HttpPathModel {
    return { match: this.match, value: this.value };
  }

  /** "/v1/charges" (exact) or "/v1/*" (prefix): the spelling Istio's AuthorizationPolicy uses too. */
  public toString(): string {
    return this.match === HttpPathMatch.EXACT ? this.value : `${this.value}*`;
  }
}

function checked(factory: string, path: string): string {
  if (typeof path !== 'string' || !PATH.test(path)) {
    throw EgressValidationError.inFactory(factory, 'path', path, 'is not an absolute request path (starting with "/", without "*", "?", "#" or spaces)',
      'e.g. "/v1/charges"; a prefix is HttpPath.prefix("/v1/")');
  }
  return path;
}
