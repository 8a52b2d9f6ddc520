#include "optimize/feedback.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace remask::optimize {

FeedbackBook FeedbackBook::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path, "cannot read the feedback file");
    FeedbackBook book;
    std::string line;
    for (size_t line_no = 1; std::getline(in, line); ++line_no) {
        std::string where = path + ":" + std::to_string(line_no);
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception&) {
            throw InputError(where, "not a JSON object");
        }
        if (!j.is_object()) throw InputError(where, "not a JSON object");
        for (const auto& [key, value] : j.items())
            if (key != "id" && key != "input" && key != "comment" && key != "score")
                throw InputError(where, "unknown field '" + key + "' (id, input, comment, score)");
        HumanFeedback fb;
        if (j.contains("comment")) {
            if (!j["comment"].is_string()) throw InputError(where, "'comment' must be a string");
            fb.comment = j["comment"].get<std::string>();
        }
        if (j.contains("score")) {
            if (!j["score"].is_number()) throw InputError(where, "'score' must be a number");
            double s = j["score"].get<double>();
            if (s < 0 || s > 1) throw InputError(where, "'score' must be in [0, 1]");
            fb.score = s;
        }
        if (fb.comment.empty() && !fb.score)
            throw InputError(where, "needs a 'comment' or a 'score'");
        if (j.contains("id") && j["id"].is_string())
            book.add_for_id(j["id"].get<std::string>(), fb);
        else if (j.contains("id") && j["id"].is_number_integer())
            book.add_for_id(std::to_string(j["id"].get<int64_t>()), fb);
        else if (j.contains("input") && j["input"].is_string())
            book.add_for_input(j["input"].get<std::string>(), fb);
        else
            throw InputError(where, "needs an 'id' or an 'input' (string)");
    }
    return book;
}

void FeedbackBook::add_for_id(const std::string& id, HumanFeedback f) {
    by_id_[id].push_back(std::move(f));
}

void FeedbackBook::add_for_input(const std::string& input, HumanFeedback f) {
    by_input_[input].push_back(std::move(f));
}

void FeedbackBook::apply(std::vector<Trace>& traces) const {
    for (Trace& t : traces) {
        const std::vector<HumanFeedback>* found = nullptr;
        if (auto it = by_id_.find(t.example_id); it != by_id_.end())
            found = &it->second;
        else if (auto in = by_input_.find(t.input); in != by_input_.end())
            found = &in->second;
        if (!found) continue;
        for (const HumanFeedback& f : *found) {
            if (!f.comment.empty())
                t.feedback +=
                    (t.feedback.empty() ? "" : "\n") + std::string("Reviewer: ") + f.comment;
            if (f.score) t.score = *f.score;
        }
    }
}

}  // namespace remask::optimize
