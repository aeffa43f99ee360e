import { EgressValidationError } from '../model/errors';

/** Kubernetes' IsValidPortName: at most 15 of a-z, 0-9 and "-", with a letter, no "--", no "-" at either end. */
function portNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 15) return 'must be 1-15 characters long';
  if (!/^[a-z0-9-]+$/.test(name)) return 'may only contain a-z, 0-9 and "-"';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter';
  if (name.includes('--')) return 'must not contain "--"';
  if (name.startsWith('-') || name.endsWith('-')) return 'must not begin or end with "-"';
  return undefined;
}

const PARSE = 'CalicoPort.parse()';

function checkPortNumber(value: number, text: unknown, factory: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw EgressValidationError.inFactory(factory, 'port', text, 'is not a port number Calico accepts (an integer 1-65535)', 'leave ports out for every port');
  }
}

/**
 * A port match of a Calico rule (`ports`, `notPorts`): a single port, an inclusive range
 * (rendered "min:max") or a named port of the selected endpoints.
 */
export class CalicoPort {
  /** A single port 1-65535. */
  public static of(port: number): CalicoPort {
    checkPortNumber(port, port, 'CalicoPort.of()');
    return new CalicoPort(port, port, undefined);
  }

  /** The inclusive range `min`..`max` (1-65535, min <= max), rendered "min:max". */
  public static range(min: number, max: number): CalicoPort {
    return CalicoPort.rangeOf('CalicoPort.range()', min, max);
  }

  /** A named port (a Kubernetes port name: 1-15 of a-z, 0-9 and "-", with at least one letter). */
  public static named(name: string): CalicoPort {
    return CalicoPort.namedOf('CalicoPort.named()', name);
  }

  /** Parses Calico's text form: "443", "8000:8080" or a port name. */
  public static parse(text: string): CalicoPort {
    const s = String(text).trim();
    if (/^\d+$/.test(s)) {
      checkPortNumber(Number(s), s, PARSE);
      return new CalicoPort(Number(s), Number(s), undefined);
    }
    const m = /^(\d+):(\d+)$/.exec(s);
    if (m) return CalicoPort.rangeOf(PARSE, Number(m[1]), Number(m[2]));
    return CalicoPort.namedOf(PARSE, s);
  }

  private static rangeOf(factory: string, min: number, max: number): CalicoPort {
    checkPortNumber(min, `${min}:${max}`, factory);
    checkPortNumber(max, `${min}:${max}`, factory);
    if (min > max) {
      throw EgressValidationError.inFactory(factory, 'port', `${min}:${max}`, 'is not a valid port range (minimum greater than maximum)', `${max}:${min}`);
    }
    return new CalicoPort(min, max, undefined);
  }

  private static namedOf(factory: string, name: string): CalicoPort {
    const problem = portNameProblem(String(name));
    if (problem) throw EgressValidationError.inFactory(factory, 'port', name, `is not a valid port name: ${problem}`, 'a port number, "min:max", or a container port\'s name');
    return new CalicoPort(undefined, undefined, name);
  }

  /** Lowest port of a numeric port or range. */
  public readonly minPort?: number;
  /** Highest port of a numeric port or range. */
  public readonly maxPort?: number;
  /** The name of a named port. */
  public readonly portName?: string;

  private constructor(min: number | undefined, max: number | undefined, name: string | undefined) {
    this.minPort = min;
    this.maxPort = max;
    this.portName = name;
  }

  /** Calico's text form: "443", "8000:8080" or the port name. */
  public toString(): string {
    if (this.portName !== undefined) return this.portName;
    return this.minPort === this.maxPort ? String(this.minPort) : `${this.minPort}:${this.maxPort}`;
  }

  /** The manifest value: an integer for a single port, else the text form (as Calico marshals it). */
  public toJson(): any {
    return this.portName === undefined && this.minPort === this.maxPort ? this.minPort : this.toString();
  }
}
