// The openai provider against a fake server that misbehaves in every way the issue lists.
#include "llm/openai_client.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/error.h"
#include "fake_openai_server.h"
#include "temp_dir.h"

namespace remask {
namespace {

using testing::Fault;
using testing::FakeOpenAIServer;
using namespace std::chrono_literals;

EndpointSettings endpoint(const FakeOpenAIServer& server, int max_in_flight, double timeout_s = 5) {
    EndpointSettings settings;
    settings.base_url = server.base_url();
    settings.model = "fake-model";
    settings.api_key_env = "REMASK_TEST_KEY_UNSET";
    settings.max_in_flight = max_in_flight;
    settings.timeout_s = timeout_s;
    settings.max_retries = 6;
    return settings;
}

ClientOptions options_with_cache(const std::string& path) {
    ClientOptions options;
    options.cache_path = path;
    options.backoff = {.base_s = 0.001, .max_s = 0.004, .max_retry_after_s = 5};
    return options;
}

ChatRequest ask(const std::string& text) {
    ChatRequest request;
    request.messages = {ChatMessage::of("system", "Be brief."), ChatMessage::of("user", text)};
    return request;
}

std::vector<ChatRequest> questions(int count) {
    std::vector<ChatRequest> requests;
    for (int i = 0; i < count; ++i) requests.push_back(ask("q" + std::to_string(i)));
    return requests;
}

int index_of(const std::string& text) { return text.size() > 1 ? std::atoi(text.c_str() + 1) : 0; }

TEST(OpenAIClient, SendsEveryParameterAndParsesToolCalls) {
    FakeOpenAIServer server;
    testing::TempDir dir;
    OpenAIClient client(endpoint(server, 4), options_with_cache(dir.file("c.sqlite")));
    ChatRequest request;
    request.messages = {ChatMessage::of("system", "You sell shoes."), ChatMessage::of("user", "where is order 7")};
    ChatMessage assistant = ChatMessage::of("assistant", "");
    assistant.tool_calls = {{"call_0", "find_order", "{\"id\": 7}"}};
    ChatMessage tool = ChatMessage::of("tool", "{\"status\": \"shipped\"}");
    tool.tool_call_id = "call_0";
    request.messages.push_back(assistant);
    request.messages.push_back(tool);
    request.messages.push_back(ChatMessage::of("user", "call:order 8"));
    request.temperature = 0.5;
    request.top_p = 0.8;
    request.max_tokens = 64;
    request.seed = 11;
    request.stop = {"END"};
    request.tools = nlohmann::json::parse(R"([{"type": "function", "function": {"name": "find_order",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}}])");
    request.tool_choice = "auto";

    ChatResponse response = client.chat(request);
    EXPECT_FALSE(response.cached);
    EXPECT_EQ(response.finish_reason, "tool_calls");
    ASSERT_EQ(response.message.tool_calls.size(), 1u);
    EXPECT_EQ(response.message.tool_calls[0].name, "find_order");
    EXPECT_EQ(response.message.tool_calls[0].arguments, "{\"query\": \"order 8\"}");

    auto sent = nlohmann::json::parse(server.last_body());
    EXPECT_EQ(sent["model"], "fake-model");
    EXPECT_DOUBLE_EQ(sent["temperature"].get<double>(), 0.5);
    EXPECT_DOUBLE_EQ(sent["top_p"].get<double>(), 0.8);
    EXPECT_EQ(sent["max_tokens"], 64);
    EXPECT_EQ(sent["seed"], 11);
    EXPECT_EQ(sent["stop"][0], "END");
    EXPECT_EQ(sent["tool_choice"], "auto");
    EXPECT_EQ(sent["tools"][0]["function"]["name"], "find_order");
    EXPECT_EQ(sent["messages"][2]["tool_calls"][0]["function"]["arguments"], "{\"id\": 7}");
    EXPECT_EQ(sent["messages"][3]["tool_call_id"], "call_0");

    // The tool call comes back the same from the cache.
    ChatResponse again = client.chat(request);
    EXPECT_TRUE(again.cached);
    ASSERT_EQ(again.message.tool_calls.size(), 1u);
    EXPECT_EQ(again.message.tool_calls[0].arguments, response.message.tool_calls[0].arguments);
    EXPECT_EQ(server.requests(), 1);
}

// Each request's first attempts fail in a different way; the faults rotate over requests.
Fault fault_for(const std::string& text, int attempt) {
    static const Fault kinds[] = {Fault::rate_limited_retry_after, Fault::rate_limited_retry_after_ms,
                                  Fault::rate_limited_date,        Fault::rate_limited_bare,
                                  Fault::internal_error_500,       Fault::unavailable_503,
                                  Fault::slow,                     Fault::dropped,
                                  Fault::truncated_json,           Fault::malformed_json,
                                  Fault::wrong_content_type};
    int index = index_of(text);
    if (index % 4 == 0 || attempt >= 2) return Fault::none;
    return kinds[(index * 5 + attempt * 3) % std::size(kinds)];
}

TEST(OpenAIClient, FiveHundredRequestsThroughEveryFaultAt32InFlight) {
    FakeOpenAIServer server;
    server.set_fault_plan(fault_for);
    server.set_reply_delay(1ms);  // lets requests overlap, so the bound is really tested
    server.set_slow_delay(1000ms);
    testing::TempDir dir;
    // Generous retries: on a loaded machine a good reply may also miss the short timeout.
    EndpointSettings settings = endpoint(server, 32, /*timeout_s=*/0.3);
    settings.max_retries = 12;
    OpenAIClient client(settings, options_with_cache(dir.file("c.sqlite")));
    auto outcomes = client.chat_batch(questions(500));

    ASSERT_EQ(outcomes.size(), 500u);
    for (int i = 0; i < 500; ++i) {
        ASSERT_TRUE(outcomes[i].ok()) << "q" << i << ": " << outcomes[i].error_message;
        EXPECT_EQ(outcomes[i].response->message.content, "answer to q" + std::to_string(i));
        EXPECT_EQ(outcomes[i].response->usage.prompt_tokens, int64_t(("q" + std::to_string(i)).size()));
    }
    EXPECT_LE(server.max_concurrent(), 32);
    EXPECT_GE(server.max_concurrent(), 2) << "requests never overlapped";
    // 3 of 4 requests fail twice before their answer (slow replies may also be re-sent if
    // a loaded machine delays a good reply past the timeout).
    EXPECT_GE(server.requests(), 500 + 2 * 375);
    EXPECT_EQ(client.accounting().totals("target").calls, 500);
    EXPECT_GE(client.accounting().totals("target").retries, 2 * 375);
    EXPECT_EQ(client.cache()->size(), 500);
}

TEST(OpenAIClient, OneFailingRequestDoesNotLoseTheOthersAnswers) {
    FakeOpenAIServer server;
    server.set_fault_plan([](const std::string& text, int) {
        return text == "q7" ? Fault::bad_request_400 : text == "q9" ? Fault::internal_error_500 : Fault::none;
    });
    testing::TempDir dir;
    EndpointSettings settings = endpoint(server, 8);
    settings.max_retries = 2;
    OpenAIClient client(settings, options_with_cache(dir.file("c.sqlite")));
    auto outcomes = client.chat_batch(questions(30));
    ASSERT_EQ(outcomes.size(), 30u);
    for (int i = 0; i < 30; ++i) {
        if (i == 7 || i == 9) {
            EXPECT_FALSE(outcomes[i].ok());
            EXPECT_THROW(outcomes[i].value(), ExternalError);
            EXPECT_NE(outcomes[i].error_message.find(i == 7 ? "HTTP 400" : "HTTP 500"), std::string::npos)
                << outcomes[i].error_message;
        } else {
            ASSERT_TRUE(outcomes[i].ok()) << outcomes[i].error_message;
            EXPECT_EQ(outcomes[i].response->message.content, "answer to q" + std::to_string(i));
        }
    }
    EXPECT_EQ(client.accounting().totals("target").calls, 28);
    EXPECT_EQ(client.accounting().totals("target").failures, 2);
}

TEST(OpenAIClient, CallersOnManyThreadsShareTheInFlightBound) {
    FakeOpenAIServer server;
    server.set_reply_delay(2ms);
    testing::TempDir dir;
    ClientOptions options = options_with_cache(dir.file("c.sqlite"));
    options.use_cache = false;
    OpenAIClient client(endpoint(server, 5), options);
    // 40 threads each call chat() directly: only the client's own gate holds them back.
    auto outcomes = run_chat_batch(client, questions(200), 40);
    for (const auto& outcome : outcomes) ASSERT_TRUE(outcome.ok()) << outcome.error_message;
    EXPECT_LE(server.max_concurrent(), 5);
    EXPECT_GE(server.max_concurrent(), 2);
}

TEST(OpenAIClient, SecondRunOfTheSameRequestsSendsNone) {
    FakeOpenAIServer server;
    server.set_fault_plan([](const std::string& text, int attempt) {
        return attempt == 0 && index_of(text) % 3 == 0 ? Fault::unavailable_503 : Fault::none;
    });
    testing::TempDir dir;
    std::string cache_path = dir.file("c.sqlite");
    {
        OpenAIClient first(endpoint(server, 16), options_with_cache(cache_path));
        for (const auto& outcome : first.chat_batch(questions(120))) ASSERT_TRUE(outcome.ok());
    }
    int sent = server.requests();
    OpenAIClient second(endpoint(server, 16), options_with_cache(cache_path));
    auto outcomes = second.chat_batch(questions(120));
    EXPECT_EQ(server.requests(), sent);
    for (int i = 0; i < 120; ++i) {
        ASSERT_TRUE(outcomes[i].ok());
        EXPECT_TRUE(outcomes[i].response->cached);
        EXPECT_EQ(outcomes[i].response->message.content, "answer to q" + std::to_string(i));
    }
    EXPECT_EQ(second.accounting().totals("target").calls, 0);  // cache hits are not calls
    EXPECT_EQ(second.accounting().totals("target").cache_hits, 120);

    // A different sample index is a different call; bypassing the cache sends again.
    ChatRequest resample = ask("q1");
    resample.sample_index = 1;
    EXPECT_FALSE(second.chat(resample).cached);
    ClientOptions bypass = options_with_cache(cache_path);
    bypass.use_cache = false;
    OpenAIClient uncached(endpoint(server, 16), bypass);
    EXPECT_FALSE(uncached.chat(ask("q2")).cached);
    EXPECT_EQ(server.requests(), sent + 2);
}

TEST(OpenAIClient, BudgetOfNCallsGetsExactlyNAnsweredCalls) {
    FakeOpenAIServer server;
    server.set_fault_plan([](const std::string& text, int attempt) {
        int index = index_of(text);
        if (attempt == 0 && index % 2 == 0) return Fault::internal_error_500;
        if (attempt == 0 && index % 5 == 0) return Fault::malformed_json;
        return Fault::none;
    });
    testing::TempDir dir;
    ClientOptions options = options_with_cache(dir.file("c.sqlite"));
    options.accounting = std::make_shared<Accounting>();
    options.accounting->set_call_cap("target", 37);
    OpenAIClient client(endpoint(server, 16), options);
    auto outcomes = client.chat_batch(questions(150));
    int answered = 0, refused = 0;
    for (const auto& outcome : outcomes) {
        if (outcome.ok()) {
            ++answered;
            continue;
        }
        try {
            outcome.value();
        } catch (const BudgetExhausted&) {
            ++refused;
        }
    }
    EXPECT_EQ(answered, 37);
    EXPECT_EQ(refused, 150 - 37);
    EXPECT_EQ(server.good_replies(), 37);
    EXPECT_EQ(options.accounting->totals("target").calls, 37);
}

TEST(OpenAIClient, SharedAccountingCapsTokensAcrossModels) {
    FakeOpenAIServer server;
    testing::TempDir dir;
    ClientOptions target_options = options_with_cache(dir.file("c.sqlite"));
    target_options.accounting = std::make_shared<Accounting>();
    target_options.accounting->set_token_cap(40);  // each answer uses |"qN"| + 3 = 5 or 6 tokens
    ClientOptions judge_options = target_options;
    judge_options.kind = "judge";
    OpenAIClient target(endpoint(server, 1), target_options);
    OpenAIClient judge(endpoint(server, 1), judge_options);
    int answered = 0;
    try {
        for (int i = 0;; ++i) {
            (i % 2 ? judge : target).chat(ask("q" + std::to_string(i)));
            ++answered;
        }
    } catch (const BudgetExhausted&) {
    }
    auto totals = target_options.accounting->overall();
    EXPECT_EQ(answered, 8);  // 5 * 6 + 6 * 3 crosses 40 at the 8th answer
    EXPECT_GE(totals.prompt_tokens + totals.completion_tokens, 40);
    EXPECT_EQ(target_options.accounting->totals("target").calls, 4);
    EXPECT_EQ(target_options.accounting->totals("judge").calls, 4);
}

TEST(OpenAIClient, ClientErrorsAreNotRetriedAndReportedInOneLine) {
    struct Case {
        Fault fault;
        std::string status, message;
    };
    for (const Case& c : {Case{Fault::bad_request_400, "400", "Invalid value for 'temperature'"},
                          Case{Fault::unauthorized_401, "401", "Incorrect API key provided"},
                          Case{Fault::forbidden_403, "403", "Project does not have access"},
                          Case{Fault::not_found_404, "404", "The model 'nope' does not exist"}}) {
        FakeOpenAIServer server;
        server.set_fault_plan([&](const std::string&, int) { return c.fault; });
        testing::TempDir dir;
        OpenAIClient client(endpoint(server, 4), options_with_cache(dir.file("c.sqlite")));
        try {
            client.chat(ask("hello"));
            FAIL() << "expected an error for " << c.status;
        } catch (const ExternalError& e) {
            std::string line = e.what();
            EXPECT_NE(line.find("HTTP " + c.status), std::string::npos) << line;
            EXPECT_NE(line.find(c.message), std::string::npos) << line;
            EXPECT_EQ(line.find('\n'), std::string::npos) << line;
        }
        EXPECT_EQ(server.requests(), 1) << c.status << " was retried";
        EXPECT_EQ(client.cache()->size(), 0);
    }
}

TEST(OpenAIClient, GivesUpAfterMaxRetriesWithAnExternalError) {
    FakeOpenAIServer server;
    server.set_fault_plan([](const std::string&, int) { return Fault::unavailable_503; });
    testing::TempDir dir;
    EndpointSettings settings = endpoint(server, 4);
    settings.max_retries = 3;
    OpenAIClient client(settings, options_with_cache(dir.file("c.sqlite")));
    try {
        client.chat(ask("hello"));
        FAIL() << "expected ExternalError";
    } catch (const ExternalError& e) {
        EXPECT_NE(std::string(e.what()).find("503"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("4 attempts"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server.requests(), 4);
    EXPECT_EQ(client.accounting().totals("target").calls, 0);
    EXPECT_EQ(client.accounting().totals("target").failures, 1);
}

TEST(OpenAIClient, NoServerAtAllIsARetriedTransportError) {
    int dead_port;
    {
        FakeOpenAIServer server;  // take a free port, then close it
        dead_port = std::stoi(server.base_url().substr(17));
    }
    EndpointSettings settings;
    settings.base_url = "http://127.0.0.1:" + std::to_string(dead_port) + "/v1";
    settings.max_retries = 2;
    testing::TempDir dir;
    OpenAIClient client(settings, options_with_cache(dir.file("c.sqlite")));
    try {
        client.chat(ask("hello"));
        FAIL() << "expected ExternalError";
    } catch (const ExternalError& e) {
        EXPECT_NE(std::string(e.what()).find("3 attempts"), std::string::npos) << e.what();
    }
}

TEST(OpenAIClient, HonoursRetryAfterInMillisecondsAndSeconds) {
    for (auto [header, value, floor] : {std::tuple{"retry-after-ms", "150", 0.15}, std::tuple{"Retry-After", "1", 1.0}}) {
        FakeOpenAIServer server;
        server.set_custom_retry_after(header, value);
        server.set_fault_plan([](const std::string&, int attempt) {
            return attempt == 0 ? Fault::rate_limited_custom : Fault::none;
        });
        testing::TempDir dir;
        OpenAIClient client(endpoint(server, 1), options_with_cache(dir.file("c.sqlite")));
        EXPECT_EQ(client.chat(ask("hello")).message.content, "answer to hello");
        auto arrivals = server.arrival_times("hello");
        ASSERT_EQ(arrivals.size(), 2u);
        EXPECT_GE(std::chrono::duration<double>(arrivals[1] - arrivals[0]).count(), floor) << header;
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(OpenAIClient, TheApiKeyIsSentButNeverWrittenToTheCache) {
    const std::string key = "sk-remask-test-5f1e9a7c3b2d4e6f";
    setenv("REMASK_TEST_SECRET_KEY", key.c_str(), 1);
    FakeOpenAIServer server;
    testing::TempDir dir;
    std::string cache_path = dir.file("c.sqlite");
    {
        EndpointSettings settings = endpoint(server, 4);
        settings.api_key_env = "REMASK_TEST_SECRET_KEY";
        OpenAIClient client(settings, options_with_cache(cache_path));
        for (const auto& outcome : client.chat_batch(questions(20))) ASSERT_TRUE(outcome.ok());
        EXPECT_EQ(server.last_authorization(), "Bearer " + key);
        std::string all = read_file(cache_path) + read_file(cache_path + "-wal");
        EXPECT_NE(all.find("answer to q3"), std::string::npos) << "the check reads the real rows";
        EXPECT_EQ(all.find(key), std::string::npos);
        EXPECT_EQ(all.find("5f1e9a7c3b2d4e6f"), std::string::npos);
    }
    unsetenv("REMASK_TEST_SECRET_KEY");
}

}  // namespace
}  // namespace remask
