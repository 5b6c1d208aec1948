#!/usr/bin/python3
"""Renders the chat templates of chat-templates.json with Python's Jinja2, configured the way transformers'
apply_chat_template configures it (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols,
raise_exception, tojson), and prints the expected outputs as JSON. ChatTemplateTest compares jinjava's output
with the printed file (committed as chat-templates-expected.json). Debian: apt-get install python3-jinja2.

  /usr/bin/python3 prefer-data/src/test/python/chat_templates_ref.py \
      prefer-data/src/test/resources/dev/prefer/data/pref/chat-templates.json \
      > prefer-data/src/test/resources/dev/prefer/data/pref/chat-templates-expected.json
"""
import json
import sys

import jinja2
import jinja2.ext
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception

spec = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
for t in spec["templates"]:
    tmpl = env.from_string(t["template"])
    for i, case in enumerate(spec["cases"]):
        for gen in (False, True):
            entry = {"template": t["name"], "case": i, "add_generation_prompt": gen}
            try:
                entry["output"] = tmpl.render(messages=case, add_generation_prompt=gen,
                                              bos_token=t.get("bos_token", ""), eos_token=t.get("eos_token", ""))
            except TemplateError as e:
                entry["error"] = str(e)
            out.append(entry)
print(json.dumps({"jinja2": jinja2.__version__, "results": out}, ensure_ascii=False, indent=1))
