#include "llm/chat_json.h"

#include <gtest/gtest.h>

namespace remask {
namespace {

using nlohmann::json;

TEST(ChatJson, BodyUsesEndpointDefaultsUnlessTheRequestSetsThem) {
    EndpointSettings settings;
    settings.model = "m1";
    settings.temperature = 0.3;
    settings.max_tokens = 100;
    ChatRequest request;
    request.messages = {ChatMessage::of("system", "S"), ChatMessage::of("user", "U")};
    json body = chat_request_body(request, settings);
    EXPECT_EQ(body["model"], "m1");
    EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.3);
    EXPECT_EQ(body["max_tokens"], 100);
    EXPECT_FALSE(body.contains("seed"));
    EXPECT_FALSE(body.contains("tools"));
    EXPECT_EQ(body["messages"][1], (json{{"role", "user"}, {"content", "U"}}));

    request.temperature = 1.0;
    request.top_p = 0.9;
    request.max_tokens = 7;
    request.seed = 42;
    request.stop = {"\n\n"};
    request.tools = json::array({{{"type", "function"}, {"function", {{"name", "lookup"}}}}});
    request.tool_choice = "auto";
    body = chat_request_body(request, settings);
    EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(body["top_p"].get<double>(), 0.9);
    EXPECT_EQ(body["max_tokens"], 7);
    EXPECT_EQ(body["seed"], 42);
    EXPECT_EQ(body["stop"], json::array({"\n\n"}));
    EXPECT_EQ(body["tools"][0]["function"]["name"], "lookup");
    EXPECT_EQ(body["tool_choice"], "auto");
}

TEST(ChatJson, ToolCallsAndToolMessagesUseTheOpenAISchema) {
    ChatMessage assistant;
    assistant.role = "assistant";
    assistant.tool_calls = {{"call_9", "get_order", "{\"id\": 3}"}};
    json out = message_to_json(assistant);
    EXPECT_TRUE(out["content"].is_null());
    EXPECT_EQ(out["tool_calls"][0]["id"], "call_9");
    EXPECT_EQ(out["tool_calls"][0]["type"], "function");
    EXPECT_EQ(out["tool_calls"][0]["function"]["name"], "get_order");
    EXPECT_EQ(out["tool_calls"][0]["function"]["arguments"], "{\"id\": 3}");

    ChatMessage tool = ChatMessage::of("tool", "{\"status\": \"shipped\"}");
    tool.tool_call_id = "call_9";
    out = message_to_json(tool);
    EXPECT_EQ(out["tool_call_id"], "call_9");
    EXPECT_EQ(out["content"], "{\"status\": \"shipped\"}");
}

TEST(ChatJson, CacheKeyDependsOnEveryPartOfTheRequest) {
    EndpointSettings settings;
    ChatRequest request;
    request.messages = {ChatMessage::of("user", "hi")};
    json body = chat_request_body(request, settings);
    std::string key = cache_key("http://a/v1", body, 0);
    EXPECT_EQ(key.size(), 64u);
    EXPECT_EQ(key, cache_key("http://a/v1", chat_request_body(request, settings), 0));
    EXPECT_NE(key, cache_key("http://b/v1", body, 0));
    EXPECT_NE(key, cache_key("http://a/v1", body, 1));
    ChatRequest other = request;
    other.seed = 1;
    EXPECT_NE(key, cache_key("http://a/v1", chat_request_body(other, settings), 0));
    settings.model = "other";
    EXPECT_NE(key, cache_key("http://a/v1", chat_request_body(request, settings), 0));
}

TEST(ChatJson, ParsesTextAndToolCallReplies) {
    ReplyParse text = parse_chat_reply(R"({"choices":[{"message":{"role":"assistant","content":"Hi"},
        "finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1}})");
    ASSERT_TRUE(text.response) << text.problem;
    EXPECT_EQ(text.response->message.content, "Hi");
    EXPECT_EQ(text.response->finish_reason, "stop");
    EXPECT_EQ(text.response->usage.prompt_tokens, 5);
    EXPECT_TRUE(text.usage_reported);

    ReplyParse tools = parse_chat_reply(R"({"choices":[{"message":{"role":"assistant","content":null,
        "tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},
        "finish_reason":"tool_calls"}]})");
    ASSERT_TRUE(tools.response) << tools.problem;
    EXPECT_EQ(tools.response->message.content, "");
    ASSERT_EQ(tools.response->message.tool_calls.size(), 1u);
    EXPECT_EQ(tools.response->message.tool_calls[0].name, "f");
    EXPECT_EQ(tools.response->message.tool_calls[0].arguments, "{\"a\":1}");
    EXPECT_FALSE(tools.usage_reported);

    ReplyParse parts = parse_chat_reply(
        R"({"choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}}]})");
    ASSERT_TRUE(parts.response);
    EXPECT_EQ(parts.response->message.content, "ab");
}

TEST(ChatJson, UnusableRepliesAreValuesNotCrashes) {
    for (const char* body : {"", "{", "[]", "null", "{\"choices\": []}", "{\"choices\": [1]}",
                             "{\"choices\": [{}]}", "{\"choices\": [{\"message\": {\"content\": 5}}]}",
                             "{\"choices\": [{\"message\": {\"tool_calls\": 5}}]}",
                             "{\"choices\": [{\"message\": {\"tool_calls\": [{}]}}]}",
                             "<html>502</html>"}) {
        ReplyParse parsed = parse_chat_reply(body);
        EXPECT_FALSE(parsed.response) << body;
        EXPECT_FALSE(parsed.problem.empty()) << body;
    }
}

// Found by fuzz/openai_reply_fuzz.cpp: fields of the wrong type threw json::type_error.
TEST(ChatJson, MistypedRoleOrToolCallFieldsAreUnusableReplies) {
    for (const char* body : {R"({"choices": [{"message": {"role": ["x"], "content": "hi"}}]})",
                             R"({"choices": [{"message": {"tool_calls": [{"id": 1, "function": {"name": "f"}}]}}]})",
                             R"({"choices": [{"message": {"tool_calls": [{"function": {"name": {}}}]}}]})"}) {
        ReplyParse parsed = parse_chat_reply(body);
        EXPECT_FALSE(parsed.response) << body;
        EXPECT_FALSE(parsed.problem.empty()) << body;
    }
}

TEST(ChatJson, ServerErrorMessageFindsTheMessage) {
    EXPECT_EQ(server_error_message(R"({"error":{"message":"Bad key","type":"x"}})"), "Bad key");
    EXPECT_EQ(server_error_message(R"({"error":"model not found"})"), "model not found");
    EXPECT_EQ(server_error_message(R"({"detail":"Not Found"})"), "Not Found");
    EXPECT_EQ(server_error_message("line1\nline2"), "line1 line2");
    EXPECT_EQ(server_error_message(""), "(empty body)");
}

TEST(ChatJson, ResponsesRoundTripThroughTheCacheForm) {
    ChatResponse response;
    response.message.role = "assistant";
    response.message.content = "text";
    response.message.tool_calls = {{"c", "f", "{}"}};
    response.finish_reason = "tool_calls";
    response.usage = {12, 4};
    ChatResponse back = response_from_json(response_to_json(response));
    EXPECT_EQ(back.message.content, "text");
    ASSERT_EQ(back.message.tool_calls.size(), 1u);
    EXPECT_EQ(back.message.tool_calls[0].id, "c");
    EXPECT_EQ(back.finish_reason, "tool_calls");
    EXPECT_EQ(back.usage.prompt_tokens, 12);
    EXPECT_EQ(back.usage.completion_tokens, 4);
}

}  // namespace
}  // namespace remask
