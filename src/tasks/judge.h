#pragma once
// An LLM judge: a model grades a reply against a rubric and returns a score and a critique.
// The judge is asked for JSON, {"score": s, "critique": "..."}, but its reply is read
// robustly (docs/tasks.md):
//   1. the first {...} block that parses as a JSON object with a "score" (number or numeric
//      string); the critique from "critique", "feedback", "reason" or "explanation";
//   2. else a line like "Score: 0.8", "score = 7/10", "**Score:** 4 / 5" (case-insensitive);
//      the critique is the text after "Critique:" when present, else the whole reply;
//   3. the number is normalized: "x/d" → x/d; else x in [0,1] as is, x in (1,10] → x/10,
//      x in (10,100] → x/100; anything else (negative, x > d, > 100) is unreadable.

#include <string>
#include <vector>

#include "llm/language_model.h"

namespace remask {

struct JudgeVerdict {
    bool readable = false;
    double score = 0.0;  // in [0, 1] when readable
    std::string critique;
};

JudgeVerdict parse_judge_reply(const std::string& reply);

// [system: how to grade and answer, user: rubric, question, reference answer, answer].
std::vector<ChatMessage> judge_messages(const std::string& rubric, const std::string& input,
                                        const std::string& reference, const std::string& answer);

}  // namespace remask
