#include "diffusion/infill_json.h"

#include <nlohmann/json.hpp>

namespace remask {

namespace {

std::string dump_line(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::string infill_json_line(const FilledText& filled, int64_t steps) {
    nlohmann::ordered_json spans = nlohmann::ordered_json::array();
    for (const FilledSpan& s : filled.spans) {
        spans.push_back({{"start", s.start}, {"end", s.end}, {"filled", s.filled}});
    }
    nlohmann::ordered_json j;
    j["text"] = filled.text;
    j["spans"] = std::move(spans);
    j["steps"] = steps;
    return dump_line(j);
}

std::string trace_json_line(const StepTrace& step) {
    nlohmann::ordered_json candidates = nlohmann::ordered_json::array();
    for (const auto& row : step.rows) {
        nlohmann::ordered_json positions = nlohmann::ordered_json::array();
        nlohmann::ordered_json tokens = nlohmann::ordered_json::array();
        nlohmann::ordered_json confidences = nlohmann::ordered_json::array();
        for (const Reveal& r : row) {
            positions.push_back(r.position);
            tokens.push_back(r.token);
            confidences.push_back(r.confidence);
        }
        candidates.push_back({{"positions", positions}, {"tokens", tokens}, {"confidences", confidences}});
    }
    nlohmann::ordered_json j;
    j["step"] = step.step;
    j["candidates"] = std::move(candidates);
    return dump_line(j);
}

}  // namespace remask
