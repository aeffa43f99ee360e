import { EgressValidationError } from '../../model/errors';
import { HttpMatchKind, HttpMatchModel } from '../../model/http-match';
import { describeHttpMatch } from '../../model/http-match-text';
import { Port, PortModel } from '../../model/port';

/**
 * A rule's HTTP match, checked against its ports: HTTP and TLS run over TCP, on ports a mesh can name one by one
 * (a mesh's listener is one port); TLS origination sends to exactly one port.
 */
export function checkedHttpMatch(http: HttpMatchModel, ports: PortModel[], path: string): HttpMatchModel {
  const shown = describeHttpMatch(http);
  if (ports.length === 0) {
    throw new EgressValidationError('http', shown, 'needs TCP ports: an HTTP or TLS match on all traffic has no port to listen on', path, 'ports: [Port.tcp(443)]');
  }
  for (const p of ports) {
    const single = p.protocol === 'TCP' && p.fromPort !== undefined && p.fromPort === p.toPort && p.portName === undefined;
    if (!single) {
      throw new EgressValidationError('http', shown, `needs single TCP ports, and the rule has ${Port.fromModel(p)}`, path, 'list TCP ports one by one, e.g. Port.tcp(443)');
    }
  }
  if (http.kind === HttpMatchKind.ORIGINATE_TLS) {
    if (ports.length !== 1) {
      throw new EgressValidationError('http', shown, `originates TLS to one port, and the rule has ${ports.length}`, path, 'one rule per TLS port, e.g. ports: [Port.tcp(443)]');
    }
    if (ports[0].fromPort === http.appPort) {
      throw new EgressValidationError('http', shown, `sends plain HTTP to port ${http.appPort}, the rule's TLS port itself`, path, 'appPort: 80 (the application\'s plain-HTTP port) and ports: [Port.tcp(443)]');
    }
  }
  return http;
}
