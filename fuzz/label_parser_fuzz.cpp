// A free-text reply read by the label parser (SST-5's labels, which overlap in words).
#include "fuzz_support.h"
#include "tasks/label_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const remask::LabelParser parser(
        {"very negative", "negative", "neutral", "positive", "very positive"});
    std::string reply(remask::fuzz::as_text(data, size));
    remask::LabelParse parse = parser.parse(reply);
    if (parse.outcome == remask::LabelParse::Outcome::found &&
        (parse.label < 0 || parse.label >= int(parser.labels().size())))
        std::abort();
    (void)remask::LabelParser::words(reply);
    return 0;
}
