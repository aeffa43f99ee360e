"""Runs Aerleon's generators on the Aerleon export, one target at a time, and prints one JSON verdict per target.

Input (stdin, JSON): {"policies": "<export>/policies", "definitions": "<export>/def",
  "policy": "pol/cdk8s-egress.yaml", "targets": {"<target>": ["<header options>", ...] | null}}
A target's list of options replaces the policy's filters with one filter per option string (same terms); null keeps
the policy's own filters for that target. Each target is parsed and rendered as aclgen does (yaml.ParsePolicy, then
the generator class from Aerleon's plugin registry, str() of it), in its own try, so one failure reports and the others
still run. Output: {"<target>": {"ok": bool, "files": {"<suffix>": "<text>"}, "error": "...", "warnings": [...]}}.
"""
import copy
import json
import logging
import sys
import traceback

import yaml as pyyaml
from aerleon.lib import naming, plugin_supervisor, yaml


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def main():
    request = json.load(sys.stdin)
    base = request['policies']
    definitions = naming.Naming(request['definitions'])
    with open(f"{base}/{request['policy']}") as f:
        policy = pyyaml.safe_load(f)
    plugin_supervisor.PluginSupervisor.Start()
    generators = plugin_supervisor.PluginSupervisor.generators
    collect = Collect()
    logging.getLogger().addHandler(collect)
    logging.getLogger().setLevel(logging.WARNING)
    out = {'registry': sorted(generators)}
    for target, options in request['targets'].items():
        collect.messages = []
        verdict = {'ok': False, 'files': {}, 'warnings': collect.messages}
        try:
            if options is None:
                filters = [f for f in policy['filters'] if target in f['header']['targets']]
            else:
                terms = policy['filters'][0]['terms']
                filters = [{'header': {'targets': {target: o}}, 'terms': terms} for o in options]
            if not filters:
                raise ValueError(f'the policy has no filter for {target}')
            text = pyyaml.safe_dump({'filters': filters})
            pol = yaml.ParsePolicy(text, filename=f'{target}.yaml', base_dir=base, definitions=definitions)
            generator = generators.get(target)
            if generator is None:
                raise ValueError(f'aerleon has no generator {target}')
            if target == 'pcap':
                acl = generator(copy.deepcopy(pol), 2)
                verdict['files'][f'-accept{acl.SUFFIX}'] = str(acl)
                acl = generator(copy.deepcopy(pol), 2, invert=True)
                verdict['files'][f'-deny{acl.SUFFIX}'] = str(acl)
            else:
                acl = generator(copy.deepcopy(pol), 2)
                verdict['files'][acl.SUFFIX] = str(acl)
            verdict['ok'] = True
        except Exception as e:  # every generator error is a verdict, not a crash
            verdict['error'] = f'{type(e).__name__}: {e}'.strip()
            verdict['trace'] = traceback.format_exc(limit=3)
        out[target] = verdict
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
