#include "diffusion/span_markup.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "diffusion/infill_json.h"
#include "diffusion/sampler_factory.h"
#include "fake_sources.h"

namespace remask {
namespace {

std::string error_of(std::string_view text) {
    try {
        parse_mask_markup(text);
    } catch (const InputError& e) {
        EXPECT_EQ(e.subject(), "--text");
        return e.detail();
    }
    return "no error";
}

TEST(SpanMarkup, SplitsTextAndSlots) {
    auto s = parse_mask_markup("Be <mask:3> and <mask:12>");
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].text, "Be ");
    EXPECT_EQ(s[1].masks, 3);
    EXPECT_EQ(s[2].text, " and ");
    EXPECT_EQ(s[3].masks, 12);
    EXPECT_EQ(count_slots(s), 2);
    EXPECT_EQ(count_masks(s), 15);
}

TEST(SpanMarkup, EscapedAndOtherAnglesAreLiteral) {
    auto s = parse_mask_markup("a \\<mask:3> b < c <b>\\x<mask:1>");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].text, "a <mask:3> b < c <b>\\x");
    EXPECT_EQ(s[1].masks, 1);
    EXPECT_EQ(parse_mask_markup("<mask:2><mask:2>").size(), 2u);
}

TEST(SpanMarkup, BadTagsGetOneClearErrorEach) {
    EXPECT_EQ(error_of("ab <mask:0> c"), "<mask:0> asks for no tokens; use N >= 1 at byte 3");
    EXPECT_EQ(error_of("ab <mask:4 c"),
              "unclosed <mask:N> tag (no '>' follows; write \\< for a literal '<') at byte 3");
    EXPECT_EQ(error_of("<mask:x1>"), "bad mask count 'x1' in <mask:N> (N must be a number from 1 to 100000) at byte 0");
    EXPECT_EQ(error_of("<mask:>"), "bad mask count '' in <mask:N> (N must be a number from 1 to 100000) at byte 0");
    EXPECT_EQ(error_of("<mask:-2>").substr(0, 20), "bad mask count '-2' ");
    EXPECT_EQ(error_of("<mask:200000>"), "<mask:200000> is larger than 100000 at byte 0");
}

TEST(SpanMarkup, FilledTextKeepsTheTextAndReportsByteOffsets) {
    auto segments = parse_mask_markup("Héllo <mask:2>, \\<b> <mask:1>!");
    // A toy tokenizer: one id per byte; decode maps ids back to bytes.
    EncodeFn encode = [](std::string_view t) { return std::vector<int32_t>(t.begin(), t.end()); };
    DecodeFn decode = [](const std::vector<int32_t>& ids) { return std::string(ids.begin(), ids.end()); };
    auto pieces = encode_segments(segments, encode);
    ASSERT_EQ(pieces.size(), 5u);
    EXPECT_EQ(pieces[0].tokens.size(), 7u);  // "Héllo " is 7 bytes
    EXPECT_EQ(pieces[1].masks, 2);
    FilledText out = assemble_filled_text(segments, {{'w', 0xC3, 0xB6, 'r'}, {}}, decode);
    EXPECT_EQ(out.text, "Héllo wör, <b> !");
    ASSERT_EQ(out.spans.size(), 2u);
    EXPECT_EQ(out.spans[0].start, 7u);
    EXPECT_EQ(out.spans[0].end, 11u);
    EXPECT_EQ(out.spans[0].filled, "wör");
    EXPECT_EQ(out.spans[1].start, 17u);
    EXPECT_EQ(out.spans[1].end, 17u);  // a span may shrink to nothing
    EXPECT_EQ(out.text.substr(out.spans[0].start, out.spans[0].end - out.spans[0].start), out.spans[0].filled);
}

TEST(InfillJson, LineHasTheInterfaceKeysInOrder) {
    FilledText out{"Be kind.", {{3, 7, "kind"}}};
    EXPECT_EQ(infill_json_line(out, 32),
              R"({"text":"Be kind.","spans":[{"start":3,"end":7,"filled":"kind"}],"steps":32})");
    FilledText bad{"\xff", {}};
    EXPECT_EQ(infill_json_line(bad, 1), "{\"text\":\"\xEF\xBF\xBD\",\"spans\":[],\"steps\":1}");
}

TEST(InfillJson, TraceLineListsEveryCandidate) {
    StepTrace t;
    t.step = 2;
    t.rows = {{{5, 17, 0.5}}, {}};
    EXPECT_EQ(trace_json_line(t),
              R"({"step":2,"candidates":[{"positions":[5],"tokens":[17],"confidences":[0.5]},)"
              R"({"positions":[],"tokens":[],"confidences":[]}]})");
}

}  // namespace
}  // namespace remask

namespace remask {
namespace {

TEST(TextInfill, EndToEndKeepsTheTextAndFillsTheSlots) {
    // Byte-level toy tokenizer (ids 0..255), mask id 300, end-of-text 256 as filler. The
    // scripted model writes 'x' in even slots and end-of-text in odd ones.
    constexpr int32_t kMaskId = 300;
    constexpr int32_t kEnd = 256;
    EncodeFn encode = [](std::string_view t) {
        std::vector<int32_t> ids;
        for (unsigned char ch : t) ids.push_back(ch);
        return ids;
    };
    DecodeFn decode = [](const std::vector<int32_t>& ids) {
        std::string s;
        for (int32_t id : ids) s += char(id);
        return s;
    };
    testing::ScriptedSource source(301, [](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        out[p % 2 == 0 ? 'x' : kEnd] = 4.0f;
    });
    const std::string text = "Tone: <mask:3>; keep \\<this>.<mask:1>";
    auto segments = parse_mask_markup(text);
    InfillLayout layout = make_infill_layout({}, encode_segments(segments, encode), {}, 1, kMaskId);
    auto sampler = make_sampler(SamplingOptions{});
    DenoiseOptions o;
    o.mask_id = kMaskId;
    InfillResult r = run_infill(source, *sampler, layout, 1, {kEnd}, o);
    FilledText out = assemble_filled_text(segments, r.candidates[0].span_tokens, decode);
    // Span 0 is slots 6..9 (x at 6 and 8), span 1 is slots 28..29 (x at 28).
    EXPECT_EQ(out.text, "Tone: xx; keep <this>.x");
    EXPECT_EQ(infill_json_line(out, r.denoise.steps),
              R"({"text":"Tone: xx; keep <this>.x","spans":[{"start":6,"end":8,"filled":"xx"},)"
              R"({"start":22,"end":23,"filled":"x"}],"steps":6})");
}

}  // namespace
}  // namespace remask
