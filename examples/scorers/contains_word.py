#!/usr/bin/env python3
"""A remask exec scorer: passes answers that contain a word (argv[1], default "thanks").

remask starts this once per worker and keeps it running: one JSON request per line on
stdin, one JSON reply per line on stdout (flush each one). Request, as promptfoo's webhook:
  {"output": "the answer", "context": {"prompt": "...", "vars": {"input": ..., "id": ..., ...}}}
Reply: {"pass": bool, "score": 0..1 (optional), "reason": "becomes the optimizer's feedback"}
Anything printed to stderr lands in remask's log.

  [scorer]
  command = ["python3", "examples/scorers/contains_word.py", "thanks"]
"""
import json
import sys

word = (sys.argv[1] if len(sys.argv) > 1 else "thanks").lower()

for line in sys.stdin:
    request = json.loads(line)
    answer = request["output"].lower()
    passed = word in answer
    reason = f'mentions "{word}"' if passed else f'does not mention "{word}"; the answer should'
    print(json.dumps({"pass": passed, "score": 1.0 if passed else 0.0, "reason": reason}), flush=True)
