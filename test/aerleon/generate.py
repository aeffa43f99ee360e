"""Runs Aerleon's generators on the Aerleon export, one target at a time, and prints one JSON verdict per target.

Input (stdin, JSON): {"policies": "<export>/policies", "definitions": "<export>/def", "terms": "includes/<terms>.yaml",
  "targets": {"<target>": ["<header options>", ...] | null}}
null reads the export's own policy for the target (pol/cdk8s-egress-<target>.yaml); a list of options makes one filter
per option string that includes the export's terms (for the generators the export leaves out). Each target is parsed and rendered as aclgen does (yaml.ParsePolicy, then
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
                with open(f'{base}/pol/cdk8s-egress-{target}.yaml') as f:
                    text = f.read()
            else:
                include = [{'include': request['terms']}]
                text = pyyaml.safe_dump({'filters': [{'header': {'targets': {target: o}}, 'terms': include} for o in options]})
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
