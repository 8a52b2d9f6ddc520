#include "optimize/feedback.h"

#include <fstream>
#include <set>

#include "core/error.h"

namespace remask::optimize {
namespace {

const std::set<std::string> kExampleFields = {"id", "input", "comment", "score"};
const std::set<std::string> kCommonFields = {"author", "time", "candidate"};
const std::set<std::string> kDecisions = {"veto", "pick", "continue", "stop"};

void require_string(const nlohmann::json& j, const char* key, const std::string& where) {
    if (j.contains(key) && !j[key].is_string())
        throw InputError(where, std::string("'") + key + "' must be a string");
}

void check_fields(const nlohmann::json& j, const std::set<std::string>& allowed, const std::string& where,
                  const std::string& listed) {
    for (const auto& [key, value] : j.items())
        if (!allowed.count(key) && !kCommonFields.count(key))
            throw InputError(where, "unknown field '" + key + "' (" + listed + ")");
}

}  // namespace

void check_feedback_entry(const nlohmann::json& j, const std::string& where) {
    if (!j.is_object()) throw InputError(where, "not a JSON object");
    require_string(j, "author", where);
    require_string(j, "time", where);
    require_string(j, "candidate", where);
    if (j.contains("note")) {
        check_fields(j, {"note"}, where, "a note line holds note, author, time");
        if (!j["note"].is_string() || j["note"].get<std::string>().empty())
            throw InputError(where, "'note' must be a non-empty string");
        return;
    }
    if (j.contains("decision")) {
        check_fields(j, {"decision", "child", "iteration"}, where,
                     "a decision line holds decision, child, iteration, author, time");
        if (!j["decision"].is_string() || !kDecisions.count(j["decision"].get<std::string>()))
            throw InputError(where, "'decision' must be veto, pick, continue or stop");
        const std::string d = j["decision"].get<std::string>();
        if ((d == "veto" || d == "pick") && !(j.contains("child") && j["child"].is_string()))
            throw InputError(where, "a " + d + " needs 'child' (a candidate id)");
        if (j.contains("iteration") && !j["iteration"].is_number_integer())
            throw InputError(where, "'iteration' must be an integer");
        return;
    }
    check_fields(j, kExampleFields, where, "id, input, comment, score; or note; or decision");
    if (j.contains("comment") && !j["comment"].is_string()) throw InputError(where, "'comment' must be a string");
    if (j.contains("score")) {
        if (!j["score"].is_number()) throw InputError(where, "'score' must be a number");
        double s = j["score"].get<double>();
        if (!(s >= 0 && s <= 1)) throw InputError(where, "'score' must be in [0, 1]");
    }
    if (j.value("comment", std::string()).empty() && !j.contains("score"))
        throw InputError(where, "needs a 'comment' or a 'score'");
    bool has_id = j.contains("id") && (j["id"].is_string() || j["id"].is_number_integer());
    bool has_input = j.contains("input") && j["input"].is_string();
    if (!has_id && !has_input) throw InputError(where, "needs an 'id' or an 'input' (string)");
}

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
        book.add_entry(j, where);
    }
    return book;
}

void FeedbackBook::add_entry(const nlohmann::json& j, const std::string& where) {
    check_feedback_entry(j, where);
    if (j.contains("note")) {
        notes_.push_back(j["note"].get<std::string>());
        return;
    }
    if (j.contains("decision")) return;  // the journal of the run that asked holds them
    HumanFeedback fb;
    fb.comment = j.value("comment", std::string());
    if (j.contains("score")) fb.score = j["score"].get<double>();
    if (j.contains("id") && j["id"].is_string())
        add_for_id(j["id"].get<std::string>(), fb);
    else if (j.contains("id") && j["id"].is_number_integer())
        add_for_id(std::to_string(j["id"].get<int64_t>()), fb);
    else
        add_for_input(j["input"].get<std::string>(), fb);
}

void FeedbackBook::add_for_id(const std::string& id, HumanFeedback f) {
    by_id_[id].push_back(std::move(f));
}

void FeedbackBook::add_for_input(const std::string& input, HumanFeedback f) {
    by_input_[input].push_back(std::move(f));
}

std::string FeedbackBook::notes() const {
    std::string out;
    for (const std::string& n : notes_) out += (out.empty() ? "" : "\n") + n;
    return out;
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
