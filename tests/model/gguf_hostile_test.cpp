// Damaged and hostile GGUF files: each gives one InputError naming the file and the key or
// tensor at fault, never a crash (run under ASan/UBSan in the asan preset).

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "model/checkpoint.h"
#include "model/gguf_file.h"
#include "model/gguf_writer.h"
#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

const GgmlType& f32() { return *ggml_type_by_id(kGgmlF32); }

std::function<std::vector<uint8_t>()> zeros(size_t n) {
    return [n] { return std::vector<uint8_t>(n, 0); };
}

// A valid file: two keys and two F32 tensors "a" [2, 32] and "b" [1, 32].
GgufBuilder small_file() {
    GgufBuilder g;
    g.add_string("general.architecture", "llada");
    g.add_u32("llada.block_count", 1);
    g.add_tensor("a", {32, 2}, f32(), zeros(256));
    g.add_tensor("b", {32}, f32(), zeros(128));
    return g;
}

// Parses a copy of exactly these bytes (so ASan sees any read past the end); returns the
// error message, or "" when it parsed.
std::string parse_error(const std::vector<uint8_t>& bytes) {
    std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size() + 1]);
    if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
    try {
        parse_gguf(copy.get(), bytes.size(), "x.gguf");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

// Offset of the byte right after the tensor info's name `name` (its dims count follows).
size_t after_tensor_name(const std::vector<uint8_t>& bytes, const std::string& name) {
    std::string needle(8, '\0');
    const uint64_t n = name.size();
    std::memcpy(needle.data(), &n, 8);
    needle += name;
    needle += std::string("\x02\0\0\0", 4);  // n_dims 2 (tensor "a")
    const std::string haystack(bytes.begin(), bytes.end());
    const size_t at = haystack.find(needle);
    EXPECT_NE(at, std::string::npos);
    return at + 8 + name.size();
}

template <typename T>
void poke(std::vector<uint8_t>& bytes, size_t at, T value) {
    std::memcpy(bytes.data() + at, &value, sizeof(T));
}

TEST(GgufHostile, TheValidFileParses) {
    const auto bytes = small_file().bytes();
    EXPECT_EQ(parse_error(bytes), "");
    const GgufContents c = parse_gguf(bytes.data(), bytes.size(), "x.gguf");
    ASSERT_EQ(c.tensors.size(), 2u);
    EXPECT_EQ(c.tensors[0].dims, (std::vector<int64_t>{32, 2}));
    EXPECT_EQ(c.tensors[1].offset, 256u);
}

TEST(GgufHostile, EveryTruncationIsOneClearError) {
    const auto bytes = small_file().bytes();
    for (size_t n = 0; n < bytes.size(); ++n) {
        std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
        const std::string error = parse_error(cut);
        ASSERT_NE(error, "") << "a file cut to " << n << " bytes parsed";
        ASSERT_EQ(error.rfind("x.gguf", 0), 0u) << error;
    }
}

TEST(GgufHostile, TensorInfoDamage) {
    const auto good = small_file().bytes();
    const size_t dims = after_tensor_name(good, "a") + 4;  // dims[0], dims[1], type, offset
    struct Damage {
        const char* what;
        std::function<void(std::vector<uint8_t>&)> apply;
        const char* expect;
    };
    const Damage cases[] = {
        {"element count overflow", [&](auto& b) { poke<uint64_t>(b, dims, 1ull << 40); poke<uint64_t>(b, dims + 8, 1ull << 40); },
         "element count overflows"},
        {"dimension above int64", [&](auto& b) { poke<uint64_t>(b, dims + 8, ~0ull); }, "out of range"},
        {"zero dimension", [&](auto& b) { poke<uint64_t>(b, dims + 8, 0); }, "out of range"},
        {"data past the end", [&](auto& b) { poke<uint64_t>(b, dims + 8, 1ull << 30); }, "outside"},
        {"offset past the end", [&](auto& b) { poke<uint64_t>(b, dims + 20, 1ull << 40); }, "outside"},
        {"offset wrapping around", [&](auto& b) { poke<uint64_t>(b, dims + 20, ~0ull - 31); }, "outside"},
        {"misaligned offset", [&](auto& b) { poke<uint64_t>(b, dims + 20, 4); }, "alignment"},
        {"unknown type", [&](auto& b) { poke<uint32_t>(b, dims + 16, 99); }, "unknown ggml type 99"},
        {"row not whole blocks", [&](auto& b) { poke<uint32_t>(b, dims + 16, kGgmlQ4_K); }, "block size"},
        {"five dimensions", [&](auto& b) { poke<uint32_t>(b, dims - 4, 5); }, "dimensions"},
        {"overlapping data", [&](auto& b) { poke<uint64_t>(b, dims + 20, 128); }, "overlaps"},
        {"tensor count", [&](auto& b) { poke<uint64_t>(b, 8, 1ull << 60); }, "tensor count"},
        {"metadata count", [&](auto& b) { poke<uint64_t>(b, 16, 1ull << 60); }, "metadata count"},
        {"magic", [&](auto& b) { b[0] = 'X'; }, "not a GGUF file"},
        {"version", [&](auto& b) { poke<uint32_t>(b, 4, 7); }, "version 7"},
    };
    for (const Damage& d : cases) {
        std::vector<uint8_t> bytes = good;
        d.apply(bytes);
        const std::string error = parse_error(bytes);
        EXPECT_NE(error.find(d.expect), std::string::npos) << d.what << ": " << error;
        if (std::string(d.what) != "magic" && std::string(d.what) != "version" &&
            std::string(d.what).find("count") == std::string::npos && std::string(d.what) != "overlapping data") {
            EXPECT_NE(error.find("tensor 'a'"), std::string::npos) << d.what << ": " << error;
        }
    }
}

TEST(GgufHostile, MetadataDamage) {
    auto error_of = [](const std::function<void(GgufBuilder&)>& add) {
        GgufBuilder g;
        add(g);
        return parse_error(g.bytes());
    };
    auto u64 = [](uint64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); };
    auto u32 = [](uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
    EXPECT_NE(error_of([&](GgufBuilder& g) { g.add_raw("k.str", 8, u64(1ull << 62) + "abc"); }).find("k.str"),
              std::string::npos);
    const std::string array = error_of([&](GgufBuilder& g) { g.add_raw("k.arr", 9, u32(8) + u64(1ull << 61)); });
    EXPECT_NE(array.find("k.arr: array length"), std::string::npos) << array;
    const std::string type = error_of([&](GgufBuilder& g) { g.add_raw("k.t", 77, ""); });
    EXPECT_NE(type.find("k.t: unknown value type 77"), std::string::npos) << type;
    const std::string element = error_of([&](GgufBuilder& g) { g.add_raw("k.e", 9, u32(40) + u64(1)); });
    EXPECT_NE(element.find("unknown array element type 40"), std::string::npos) << element;
    const std::string boolean = error_of([&](GgufBuilder& g) { g.add_raw("k.b", 7, std::string(1, '\x02')); });
    EXPECT_NE(boolean.find("k.b: boolean"), std::string::npos) << boolean;
    const std::string dup = error_of([&](GgufBuilder& g) { g.add_u32("k.d", 1); g.add_u32("k.d", 2); });
    EXPECT_NE(dup.find("k.d: duplicate metadata key"), std::string::npos) << dup;
    const std::string nested = error_of([&](GgufBuilder& g) {
        g.add_raw("k.n", 9, u32(9) + u64(1) + u32(9) + u64(1) + u32(9) + u64(1) + u32(9) + u64(0));
    });
    EXPECT_NE(nested.find("nested"), std::string::npos) << nested;
    const std::string alignment = error_of([&](GgufBuilder& g) { g.add_u32("general.alignment", 24); });
    EXPECT_NE(alignment.find("general.alignment"), std::string::npos) << alignment;
    const std::string tensors = error_of([&](GgufBuilder& g) {
        g.add_tensor("w", {32}, f32(), zeros(128));
        g.add_tensor("w", {32}, f32(), zeros(128));
    });
    EXPECT_NE(tensors.find("tensor 'w': duplicate tensor name"), std::string::npos) << tensors;
}

// Model-level faults: the file parses, but it is not a model the engine can run.
class GgufModelFaults : public testing::Test {
protected:
    static std::string load_error(const std::string& path) {
        try {
            Model::load(path);
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    }
    static std::string write(const GgufBuilder& g) {
        const std::string path = test::scratch_dir() + "/bad.gguf";
        g.write(path);
        return path;
    }
};

TEST_F(GgufModelFaults, UnknownArchitecture) {
    GgufBuilder g;
    g.add_string("general.architecture", "gpt5");
    EXPECT_NE(load_error(write(g)).find("general.architecture: 'gpt5' is not supported"), std::string::npos);
}

TEST_F(GgufModelFaults, MissingKeyIsNamed) {
    GgufBuilder g;
    g.add_string("general.architecture", "dream");
    EXPECT_NE(load_error(write(g)).find("dream.embedding_length: missing"), std::string::npos);
}

TEST_F(GgufModelFaults, WrongShapeNamesTheTensor) {
    // A real conversion whose feed-forward length no longer matches its tensors.
    const std::string good = test::scratch_dir() + "/good.gguf";
    write_gguf_from_folder(test::fixture("llada-tiny"), good, "f32");
    std::ifstream in(good, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string key = "llada.feed_forward_length";
    const std::string haystack(bytes.begin(), bytes.end());
    const size_t at = haystack.find(key);
    ASSERT_NE(at, std::string::npos);
    poke<uint32_t>(bytes, at + key.size() + 4, 100);
    const std::string bad = test::scratch_dir() + "/bad.gguf";
    std::ofstream(bad, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const std::string error = load_error(bad);
    EXPECT_NE(error.find("'blk.0.ffn_gate.weight'"), std::string::npos) << error;
    EXPECT_NE(error.find("[100, 64]"), std::string::npos) << error;
}

TEST_F(GgufModelFaults, ForeignTensorIsNamed) {
    GgufBuilder g;
    // Same metadata keys as needed, plus a tensor Dream has no role for.
    g.add_string("general.architecture", "dream");
    g.add_u32("dream.embedding_length", 64);
    g.add_u32("dream.block_count", 1);
    g.add_u32("dream.attention.head_count", 4);
    g.add_u32("dream.feed_forward_length", 128);
    g.add_f32("dream.attention.layer_norm_rms_epsilon", 1e-6f);
    g.add_bool("dream.attention.causal", false);
    g.add_tensor("token_embd.weight", {64, 8}, f32(), zeros(64 * 8 * 4));
    g.add_tensor("rope_freqs.weight", {8}, f32(), zeros(32));
    const std::string error = load_error(write(g));
    EXPECT_NE(error.find("tensor 'rope_freqs.weight'"), std::string::npos) << error;
}

TEST_F(GgufModelFaults, CausalFlagContradictingTheFamily) {
    GgufBuilder g;
    g.add_string("general.architecture", "qwen2");
    g.add_u32("qwen2.embedding_length", 64);
    g.add_u32("qwen2.attention.head_count", 4);
    g.add_bool("qwen2.attention.causal", false);
    g.add_tensor("token_embd.weight", {64, 8}, f32(), zeros(64 * 8 * 4));
    EXPECT_NE(load_error(write(g)).find("qwen2.attention.causal"), std::string::npos);
}

}  // namespace
}  // namespace remask
