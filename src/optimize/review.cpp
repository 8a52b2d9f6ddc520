#include "optimize/review.h"

#include <istream>
#include <ostream>
#include <sstream>

namespace remask::optimize {

nlohmann::json to_json(const ReviewDecision& d) {
    return {{"vetoed", d.vetoed},
            {"picked", d.picked},
            {"comments", d.comments},
            {"notes", d.notes},
            {"stop", d.stop}};
}

ReviewDecision review_from_json(const nlohmann::json& j) {
    ReviewDecision d;
    d.vetoed = j.value("vetoed", std::vector<std::string>{});
    d.picked = j.value("picked", std::string());
    d.comments = j.value("comments", std::map<std::string, std::string>{});
    d.notes = j.value("notes", std::string());
    d.stop = j.value("stop", false);
    return d;
}

namespace {

class TerminalReviewer : public Reviewer {
  public:
    TerminalReviewer(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

    ReviewDecision review(const ReviewView& v) override {
        show(v);
        ReviewDecision d;
        std::string line;
        while (true) {
            out_ << "review> " << std::flush;
            if (!std::getline(in_, line)) break;
            std::istringstream words(line);
            std::string command;
            words >> command;
            std::string rest;
            std::getline(words >> std::ws, rest);
            if (command.empty() || command == "ok" || command == "c") break;
            if (command == "veto" || command == "pick") {
                std::string id = child_id(v, rest);
                if (id.empty()) {
                    out_ << "no child '" << rest << "'\n";
                    continue;
                }
                if (command == "veto")
                    d.vetoed.push_back(id);
                else
                    d.picked = id;
                out_ << command << " " << id << "\n";
            } else if (command == "comment") {
                std::istringstream parts(rest);
                std::string example, text;
                parts >> example;
                std::getline(parts >> std::ws, text);
                if (example.empty() || text.empty()) {
                    out_ << "usage: comment EXAMPLE_ID TEXT\n";
                    continue;
                }
                d.comments[example] = text;
            } else if (command == "note") {
                d.notes += (d.notes.empty() ? "" : "\n") + rest;
            } else if (command == "stop") {
                d.stop = true;
            } else {
                out_ << "commands: veto N|ID, pick N|ID, comment EXAMPLE_ID TEXT, note TEXT, "
                        "stop, ok (or an empty line) to go on\n";
            }
        }
        return d;
    }

  private:
    static std::string child_id(const ReviewView& v, const std::string& ref) {
        for (size_t k = 0; k < v.children.size(); ++k)
            if (ref == v.children[k].id || ref == std::to_string(k + 1)) return v.children[k].id;
        return "";
    }

    void show(const ReviewView& v) {
        out_ << "\n=== iteration " << v.iteration << ": parent " << v.parent_id << " scored "
             << v.parent_score << " on the minibatch\n";
        for (const Trace& t : v.traces)
            out_ << "  [" << t.example_id << "] score " << t.score
                 << "  input: " << t.input.substr(0, 120)
                 << "\n      answer: " << t.reply.substr(0, 120)
                 << (t.feedback.empty() ? "" : "\n      feedback: " + t.feedback.substr(0, 160))
                 << "\n";
        for (size_t k = 0; k < v.children.size(); ++k) {
            const ReviewChild& c = v.children[k];
            out_ << "--- child " << (k + 1) << " (" << c.id << "), minibatch " << c.minibatch_score
                 << "\n";
            for (const EditSpan& e : c.edits)
                out_ << "  - \"" << e.before << "\"\n  + \"" << e.after << "\"\n";
        }
    }

    std::istream& in_;
    std::ostream& out_;
};

}  // namespace

std::unique_ptr<Reviewer> make_terminal_reviewer(std::istream& in, std::ostream& out) {
    return std::make_unique<TerminalReviewer>(in, out);
}

}  // namespace remask::optimize
