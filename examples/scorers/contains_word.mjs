#!/usr/bin/env node
// A remask scorer in Node: passes answers that contain a word (argv[2], default "thanks").
// Two ways to run it:
//   exec:    [scorer] command = ["node", "examples/scorers/contains_word.mjs", "thanks"]
//            (one JSON request per line on stdin, one JSON reply per line on stdout)
//   webhook: node examples/scorers/contains_word.mjs thanks --port 9000
//            [scorer] url = "http://127.0.0.1:9000/score"
// Request, as promptfoo's webhook: {"output", "context": {"prompt", "vars": {"input", "id", ...}}}.
// Reply: {"pass": bool, "score": 0..1, "reason": "becomes the optimizer's feedback"}.
import http from "node:http";
import readline from "node:readline";

const args = process.argv.slice(2);
const portAt = args.indexOf("--port");
const port = portAt >= 0 ? Number(args[portAt + 1]) : 0;
const word = (args.find((a, i) => !a.startsWith("--") && (portAt < 0 || i !== portAt + 1)) ?? "thanks").toLowerCase();

function score(request) {
  const passed = String(request.output ?? "").toLowerCase().includes(word);
  return {
    pass: passed,
    score: passed ? 1 : 0,
    reason: passed ? `mentions "${word}"` : `does not mention "${word}"; the answer should`,
  };
}

if (port > 0) {
  // Loopback only: a scorer sees your data.
  http
    .createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        try {
          const reply = JSON.stringify(score(JSON.parse(body)));
          res.writeHead(200, { "Content-Type": "application/json" }).end(reply);
        } catch (error) {
          res.writeHead(400, { "Content-Type": "text/plain" }).end(String(error));
        }
      });
    })
    .listen(port, "127.0.0.1", () => console.error(`scoring on http://127.0.0.1:${port}/score`));
} else {
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => process.stdout.write(JSON.stringify(score(JSON.parse(line))) + "\n"));
}
