"""Asks Aerleon's aclcheck (aerleon.lib.aclcheck.AclCheck, what the `aclcheck` command runs) which term decides each
packet, for many packets against one policy parsed once.

Input (stdin, JSON): {"policies": "<export>/policies", "definitions": "<export>/def", "policy": "pol/<file>.yaml",
  "queries": [{"src": "<ip>", "dst": "<ip>", "proto": "tcp|udp|gre|...", "dport": <port> | null}]}
Output: one entry per query: {"action": "accept" | "deny" | null, "term": "<name>" | null, "possible": [...]}: the
first exact match (aclcheck stops there, as the platform does), or null when no term matches; "possible" lists the
terms aclcheck could only match partly (it must stay empty for single addresses).
"""
import json
import logging
import sys

from aerleon.lib import aclcheck, naming, yaml


def main():
    logging.getLogger().setLevel(logging.ERROR)
    request = json.load(sys.stdin)
    base = request['policies']
    definitions = naming.Naming(request['definitions'])
    path = f"{base}/{request['policy']}"
    with open(path) as f:
        policy = yaml.ParsePolicy(f.read(), filename=path, base_dir=base, definitions=definitions)
    out = []
    for q in request['queries']:
        check = aclcheck.AclCheck(policy, src=q['src'], dst=q['dst'], sport='any', dport=q.get('dport') or 'any', proto=q['proto'])
        exact = check.ExactMatches()
        first = exact[0] if exact else None
        action = first.action if first else None
        out.append({
            'action': action if isinstance(action, str) or action is None else action[0],
            'term': first.term if first else None,
            'possible': [m.term for m in check.Matches() if m.possibles],
        })
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
