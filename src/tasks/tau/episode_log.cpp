#include "tasks/tau/episode_log.h"

#include "core/error.h"

namespace remask::tau {
namespace {

Json use_to_json(const ModelUse& use) {
    return Json{{"calls", use.calls},
                {"cached", use.cached},
                {"prompt_tokens", use.usage.prompt_tokens},
                {"completion_tokens", use.usage.completion_tokens},
                {"billed_prompt_tokens", use.billed.prompt_tokens},
                {"billed_completion_tokens", use.billed.completion_tokens}};
}

ModelUse use_from_json(const Json& record) {
    ModelUse use;
    use.calls = record.at("calls").get<int>();
    use.cached = record.at("cached").get<int>();
    use.usage.prompt_tokens = record.at("prompt_tokens").get<int64_t>();
    use.usage.completion_tokens = record.at("completion_tokens").get<int64_t>();
    use.billed.prompt_tokens = record.value("billed_prompt_tokens", int64_t{0});
    use.billed.completion_tokens = record.value("billed_completion_tokens", int64_t{0});
    return use;
}

}  // namespace

Json episode_to_json(const EpisodeResult& episode) {
    Json actions = Json::array();
    for (const auto& action : episode.actions) actions.push_back(Json{{"name", action.name}, {"kwargs", action.kwargs}});
    Json outputs = Json::array();
    for (const auto& [output, said] : episode.outputs) outputs.push_back(Json{{"output", output}, {"said", said}});
    return Json{{"domain", episode.domain},
                {"task_index", episode.task_index},
                {"task_id", episode.task_id},
                {"trial", episode.trial},
                {"reward", episode.reward},
                {"database_ok", episode.database_ok},
                {"outputs", outputs},
                {"end_reason", episode.end_reason},
                {"actions", actions},
                {"feedback", episode.feedback},
                {"agent", use_to_json(episode.agent)},
                {"user", use_to_json(episode.user)},
                {"prompt_hash", episode.prompt_hash},
                {"messages", episode.messages}};
}

EpisodeResult episode_from_json(const Json& record) {
    EpisodeResult episode;
    episode.domain = record.at("domain").get<std::string>();
    episode.task_index = record.at("task_index").get<int>();
    episode.task_id = record.value("task_id", std::string());  // older transcripts lack it
    episode.trial = record.at("trial").get<int>();
    episode.reward = record.at("reward").get<double>();
    episode.database_ok = record.at("database_ok").get<bool>();
    for (const auto& output : record.at("outputs")) {
        episode.outputs.emplace_back(output.at("output").get<std::string>(), output.at("said").get<bool>());
    }
    episode.end_reason = record.at("end_reason").get<std::string>();
    for (const auto& action : record.at("actions")) {
        episode.actions.push_back({action.at("name").get<std::string>(), action.at("kwargs")});
    }
    episode.feedback = record.at("feedback").get<std::string>();
    episode.agent = use_from_json(record.at("agent"));
    episode.user = use_from_json(record.at("user"));
    episode.prompt_hash = record.at("prompt_hash").get<std::string>();
    episode.messages = record.at("messages");
    return episode;
}

EpisodeLog::EpisodeLog(const std::string& path) : path_(path) {
    if (path.empty()) return;
    out_.open(path, std::ios::app | std::ios::binary);
    if (!out_) throw ExternalError(path, "cannot open the transcript file for appending");
}

void EpisodeLog::append(const EpisodeResult& episode, const TauTask& task) {
    if (path_.empty()) return;
    Json record = Json::object();
    record["id"] = episode.task_id + "/" + std::to_string(episode.trial);
    record["input"] = task.instruction;
    Json expected_actions = Json::array();
    for (const auto& action : task.actions) expected_actions.push_back(Json{{"name", action.name}, {"kwargs", action.kwargs}});
    record["expected"] = Json{{"actions", expected_actions}, {"outputs", task.outputs}};
    std::string reply;
    for (const auto& action : episode.actions) {
        if (action.name == "respond") reply = action.kwargs.value("content", "");
    }
    record["reply"] = reply;
    record["parsed"] = nullptr;
    record["score"] = episode.reward;
    record["tokens_in"] = episode.agent.usage.prompt_tokens;
    record["tokens_out"] = episode.agent.usage.completion_tokens;
    record["cached"] = episode.agent.calls == 0 && episode.agent.cached > 0;
    const Json episode_record = episode_to_json(episode);
    for (const auto& [key, value] : episode_record.items()) record[key] = value;
    // dump(): nlohmann escapes nothing beyond JSON's rules and replaces invalid UTF-8
    // instead of throwing, so a model's odd bytes cannot stop the run.
    std::string line = record.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    std::lock_guard<std::mutex> lock(mutex_);
    out_ << line;
    out_.flush();
    if (!out_) throw ExternalError(path_, "cannot write the transcript file");
}

std::map<EpisodeKey, EpisodeResult> load_finished_episodes(const std::string& path, const std::string& domain,
                                                           const std::string& prompt_hash) {
    std::map<EpisodeKey, EpisodeResult> out;
    std::ifstream in(path, std::ios::binary);
    if (!in) return out;
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].find_first_not_of(" \t\r") == std::string::npos) continue;
        Json record = Json::parse(lines[i], nullptr, false);
        if (record.is_discarded()) {
            if (i + 1 == lines.size()) break;  // torn last line: that episode runs again
            throw InputError(path + ":" + std::to_string(i + 1), "not a JSON line");
        }
        try {
            EpisodeResult episode = episode_from_json(record);
            if (episode.domain != domain) continue;
            if (!prompt_hash.empty() && episode.prompt_hash != prompt_hash) continue;
            if (episode.task_id.empty()) continue;  // written before task ids: runs again
            EpisodeKey key{episode.task_id, episode.trial};
            out[key] = std::move(episode);
        } catch (const Json::exception& error) {
            throw InputError(path + ":" + std::to_string(i + 1), std::string("not an episode record: ") + error.what());
        }
    }
    return out;
}

}  // namespace remask::tau
