#include "tokenizer/post_processor.h"

#include "tokenizer/json_fields.h"

namespace remask {

namespace {

// One step of a template: the sequence itself, or a run of special-token ids.
struct TemplateItem {
    bool is_sequence = false;
    std::vector<int32_t> ids;
};

class Template : public PostProcessor {
  public:
    explicit Template(std::vector<TemplateItem> items) : items_(std::move(items)) {}
    std::vector<int32_t> apply(std::vector<int32_t> ids) const override {
        std::vector<int32_t> out;
        out.reserve(ids.size() + 4);
        for (const TemplateItem& item : items_) {
            if (item.is_sequence) {
                out.insert(out.end(), ids.begin(), ids.end());
            } else {
                out.insert(out.end(), item.ids.begin(), item.ids.end());
            }
        }
        return out;
    }

  private:
    std::vector<TemplateItem> items_;
};

class PostProcessorSequence : public PostProcessor {
  public:
    explicit PostProcessorSequence(std::vector<std::unique_ptr<PostProcessor>> steps)
        : steps_(std::move(steps)) {}
    std::vector<int32_t> apply(std::vector<int32_t> ids) const override {
        for (const auto& step : steps_) ids = step->apply(std::move(ids));
        return ids;
    }

  private:
    std::vector<std::unique_ptr<PostProcessor>> steps_;
};

int32_t read_id(const nlohmann::json& value, const std::string& where) {
    if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
        value.get<int64_t>() > INT32_MAX) {
        throw InputError(where, "expected a non-negative integer id");
    }
    return static_cast<int32_t>(value.get<int64_t>());
}

std::unique_ptr<PostProcessor> make_template(const nlohmann::json& spec, const std::string& where) {
    const auto& single = json_fields::require(spec, "single", where);
    const auto& specials = json_fields::require(spec, "special_tokens", where);
    if (!single.is_array()) throw InputError(where + ".single", "expected an array");
    std::vector<TemplateItem> items;
    for (size_t i = 0; i < single.size(); ++i) {
        const std::string at = where + ".single[" + std::to_string(i) + "]";
        const auto& piece = single[i];
        if (piece.is_object() && piece.contains("Sequence")) {
            items.push_back({true, {}});
        } else if (piece.is_object() && piece.contains("SpecialToken")) {
            const std::string name =
                json_fields::require_string(piece["SpecialToken"], "id", at + ".SpecialToken");
            const auto& special =
                json_fields::require(specials, name.c_str(), where + ".special_tokens");
            const auto& ids =
                json_fields::require(special, "ids", where + ".special_tokens." + name);
            if (!ids.is_array())
                throw InputError(where + ".special_tokens." + name + ".ids", "expected an array");
            TemplateItem item;
            for (const auto& id : ids)
                item.ids.push_back(read_id(id, where + ".special_tokens." + name + ".ids"));
            items.push_back(std::move(item));
        } else {
            throw InputError(at, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
        }
    }
    return std::make_unique<Template>(std::move(items));
}

// RobertaProcessing / BertProcessing: [cls] sequence [sep], each given as ["token", id].
std::unique_ptr<PostProcessor> make_cls_sep(const nlohmann::json& spec, const std::string& where) {
    const auto read = [&](const char* key) {
        const auto& pair = json_fields::require(spec, key, where);
        if (!pair.is_array() || pair.size() != 2)
            throw InputError(where + "." + key, "expected [\"token\", id]");
        return read_id(pair[1], where + "." + key);
    };
    std::vector<TemplateItem> items{{false, {read("cls")}}, {true, {}}, {false, {read("sep")}}};
    return std::make_unique<Template>(std::move(items));
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const nlohmann::json& spec,
                                                   const std::string& where) {
    if (spec.is_null()) return nullptr;
    const std::string type = json_fields::require_string(spec, "type", where);
    if (type == "ByteLevel") return nullptr;
    if (type == "TemplateProcessing") return make_template(spec, where);
    if (type == "RobertaProcessing" || type == "BertProcessing") return make_cls_sep(spec, where);
    if (type == "Sequence") {
        const auto& list = json_fields::require(spec, "processors", where);
        if (!list.is_array()) throw InputError(where + ".processors", "expected an array");
        std::vector<std::unique_ptr<PostProcessor>> steps;
        for (size_t i = 0; i < list.size(); ++i) {
            auto step =
                make_post_processor(list[i], where + ".processors[" + std::to_string(i) + "]");
            if (step) steps.push_back(std::move(step));
        }
        return std::make_unique<PostProcessorSequence>(std::move(steps));
    }
    throw InputError(where + ".type", "unsupported post-processor type '" + type +
                                          "' (supported: TemplateProcessing, RobertaProcessing, "
                                          "BertProcessing, ByteLevel, Sequence)");
}

}  // namespace remask
