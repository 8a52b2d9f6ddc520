// The dual KV cache fields of /v1/infill and diffusion chat completions (INTERFACES.md).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/api_schema.h"

namespace remask {
namespace {

using nlohmann::json;

TEST(ApiSchemaKvCache, InfillDefaultsFollowTheDlmTableAndRoundTrip) {
    api::InfillHttpRequest plain = api::parse_infill_request(json{{"text", "a <mask:2>"}});
    EXPECT_EQ(plain.kv_cache, "dual");
    EXPECT_EQ(plain.kv_refresh, 8);
    api::InfillHttpRequest none =
        api::parse_infill_request(json{{"text", "a <mask:2>"}, {"kv_cache", "none"}, {"kv_refresh", 3}});
    EXPECT_EQ(none.kv_cache, "none");
    EXPECT_EQ(none.kv_refresh, 3);
    const api::InfillHttpRequest again = api::parse_infill_request(api::to_json(none));
    EXPECT_EQ(again.kv_cache, "none");
    EXPECT_EQ(again.kv_refresh, 3);
}

TEST(ApiSchemaKvCache, BadValuesAre400NamingTheField) {
    const json bad[] = {{{"text", "a <mask:2>"}, {"kv_cache", "triple"}},
                        {{"text", "a <mask:2>"}, {"kv_refresh", 0}},
                        {{"text", "a <mask:2>"}, {"kv_cache", 1}}};
    for (const json& body : bad) {
        try {
            api::parse_infill_request(body);
            ADD_FAILURE() << body.dump();
        } catch (const api::HttpError& e) {
            EXPECT_EQ(e.status(), 400);
            EXPECT_NE(std::string(e.what()).find("kv_"), std::string::npos) << e.what();
        }
    }
    const json chat = {{"messages", {{{"role", "user"}, {"content", "hi"}}}}, {"kv_cache", "none"}, {"kv_refresh", 2}};
    const api::ChatCompletionRequest parsed = api::parse_chat_completion_request(chat);
    EXPECT_EQ(parsed.kv_cache.value_or(""), "none");
    EXPECT_EQ(parsed.kv_refresh.value_or(0), 2);
    EXPECT_EQ(api::to_json(parsed)["kv_cache"], "none");
    json wrong = chat;
    wrong["kv_refresh"] = -1;
    EXPECT_THROW(api::parse_chat_completion_request(wrong), api::HttpError);
}

}  // namespace
}  // namespace remask
