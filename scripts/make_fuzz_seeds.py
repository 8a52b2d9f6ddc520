#!/usr/bin/python3
"""Writes the seed corpora of fuzz/corpus/ (committed; rerun after changing a format).
Model config seeds come from the build's fixtures (build/release/fixtures); the resume_files
seeds are a real run directory's events.jsonl and checkpoint.json, committed as they are."""
import io, json, os, struct
import numpy as np

C = 'fuzz/corpus'


def put(target, name, data):
    os.makedirs(f'{C}/{target}', exist_ok=True)
    with open(f'{C}/{target}/{name}', 'wb' if isinstance(data, bytes) else 'w') as f:
        f.write(data)


def safetensors(tensors, meta=None):
    header, blobs = {}, b''
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blobs), len(blobs) + len(raw)]}
        blobs += raw
    if meta:
        header["__metadata__"] = meta
    h = json.dumps(header).encode()
    return struct.pack('<Q', len(h)) + h + blobs


put('safetensors', 'f32_bf16', safetensors({"a.weight": ("F32", [2, 3], np.arange(6, dtype='<f4').tobytes()),
                                            "b": ("BF16", [4], b'\x80\x3f' * 4)}, {"format": "pt"}))
put('safetensors', 'i64_f16_empty', safetensors({"ids": ("I64", [2], np.array([1, 2], dtype='<i8').tobytes()),
                                                 "s": ("F16", [], b'\x00\x3c'), "empty": ("F32", [0], b'')}))

for name, arr in {'vec': np.arange(5, dtype='<f4'), 'mat': np.ones((2, 3), dtype='<f4'),
                  'scalar': np.array(1.5, dtype='<f4')}.items():
    b = io.BytesIO()
    np.save(b, arr)
    put('npy', name, b.getvalue())
b = io.BytesIO()
np.lib.format.write_array(b, np.zeros((1, 2), dtype='<f4'), version=(2, 0))
put('npy', 'v2', b.getvalue())

for fixture in ['llada-tiny', 'qwen2-e2e', 'dream-e2e', 'llama-tiny']:
    path = f'build/release/fixtures/{fixture}/config.json'
    if os.path.exists(path):
        put('model_config', fixture, open(path).read())

bpe = {"version": "1.0",
       "added_tokens": [{"id": 5, "content": "<|end|>", "single_word": False, "lstrip": False, "rstrip": False,
                         "normalized": False, "special": True}],
       "normalizer": {"type": "NFC"},
       "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
           {"type": "Split", "pattern": {"Regex": "\\s+|\\w+|[^\\w\\s]+"}, "behavior": "Isolated", "invert": False},
           {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
       "post_processor": None,
       "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
       "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                 "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                 "vocab": {"h": 0, "e": 1, "l": 2, "o": 3, "he": 4, "ll": 6, "hell": 7, "Ġ": 8, "w": 9},
                 "merges": ["h e", "l l", "he ll"]}}
put('tokenizer_json', 'bpe', json.dumps(bpe) + "\n#TEXT#\nhello <|end|> world")
bpe["model"]["merges"] = [["h", "e"], ["l", "l"]]
bpe["normalizer"] = None
put('tokenizer_json', 'bpe_pair_merges', json.dumps(bpe) + "\n#TEXT#\nhe\u00e9llo")

for i, text in enumerate(["Hello, world!", "<|im_start|>user\nHi<|im_end|>", "caf\u00e9 na\u0303ive \U0001F600 123456",
                          "  tabs\tand\r\nnewlines  ", b"\xff\xfe broken \xc3"]):
    put('tokenizer_encode', f's{i}', text)

for f in sorted(os.listdir('examples')):
    if f.endswith('.toml'):
        put('settings_toml', f, open('examples/' + f).read())

for i, text in enumerate(["Be <mask:3> and \\<brief>.", "C:\\\\<mask:2>x", "<mask:1><mask:100000>", "<mask:", "plain"]):
    put('span_markup', f's{i}', text)

put('infill_request', 'basic', json.dumps({"text": "Be <mask:4> and kind.", "steps": 8, "sampler": "maskgit_plus",
                                           "temperature": 0.0, "seed": 1, "kv_cache": "dual", "kv_refresh": 2}))
put('infill_request', 'n', json.dumps({"text": "<mask:2>", "n": 2, "top_k": 5, "top_p": 0.9, "max_tokens": 4}))
put('chat_request', 'basic', json.dumps({"model": "llada", "messages": [{"role": "system", "content": "Be brief."},
                                                                       {"role": "user", "content": "Hi"}],
                                         "temperature": 0, "max_tokens": 8, "steps": 4}))
put('chat_request', 'parts', json.dumps({"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]}],
                                         "n": 2, "seed": 3, "max_completion_tokens": 3, "stream": False}))

put('openai_reply', 'chat', json.dumps({"id": "x", "object": "chat.completion", "choices": [
    {"index": 0, "message": {"role": "assistant", "content": "positive"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}}))
put('openai_reply', 'tool_calls', json.dumps({"choices": [{"message": {"role": "assistant", "content": None, "tool_calls": [
    {"id": "c1", "type": "function", "function": {"name": "get", "arguments": "{\"a\":1}"}}]},
    "finish_reason": "tool_calls"}]}))
put('openai_reply', 'error', json.dumps({"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}))
put('openai_reply', 'error_str', json.dumps({"error": "bad key"}))
put('openai_reply', 'html', "<html><body>502 Bad Gateway</body></html>")

for i, text in enumerate(["**Positive**.", "not positive, very negative", "Neutral", "isn't very-positive", "",
                          "I'd say: Very_Positive!"]):
    put('label_parser', f's{i}', text)

lines = [{"input": "2+2?", "expected": 4, "id": "q1", "split": "train"},
         {"input": "capital of France", "expected": "Paris", "split": "dev", "tolerance": 0.5},
         {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"},
                       {"role": "user", "content": "say 3"}], "expected": "3", "split": "test"}]
body = "".join(json.dumps(line) + "\n" for line in lines).encode()
for metric in range(5):  # exact, contains, regex, labels, numeric
    put('jsonl_dataset', f'metric{metric}', bytes([metric]) + body)
put('jsonl_dataset', 'regex', bytes([2]) + (json.dumps({"input": "x", "expected": "^(a|b)+\\d{2,3}$"}) + "\n").encode())

for i, (tool, args) in enumerate([(0, {"order_id": "#W2378156"}), (1, {"user_id": "yusuf_rossi_9620"}),
                                  (2, {"email": "a@b.c"}), (3, {}), (4, "not json"), (5, {"expression": "2 * (3 + 4)"})]):
    put('tau_tool_arguments', f's{i}', bytes([tool]) + (args if isinstance(args, str) else json.dumps(args)).encode())

put('feedback_file', 'ids', '{"id": "val-1", "comment": "sarcasm: this is negative", "score": 0}\n'
                            '{"input": "a gorgeous, witty film", "comment": "clearly positive"}\n')
put('feedback_file', 'score_only', '{"id": "train-3", "score": 1}\n\n')


def gguf(metadata, tensors):
    """A GGUF v3 image: metadata [(key, value)] (str, bool, int → u32, float → f32),
    tensors [(name, ggml dims, ggml type id, raw bytes)], data aligned to 32."""
    def string(s):
        b = s.encode()
        return struct.pack('<Q', len(b)) + b
    out = b'GGUF' + struct.pack('<IQQ', 3, len(tensors), len(metadata))
    for key, value in metadata:
        out += string(key)
        if isinstance(value, bool):
            out += struct.pack('<IB', 7, value)
        elif isinstance(value, int):
            out += struct.pack('<II', 4, value)
        elif isinstance(value, float):
            out += struct.pack('<If', 6, value)
        else:
            out += struct.pack('<I', 8) + string(value)
    offset, blobs = 0, b''
    for name, dims, type_id, raw in tensors:
        out += string(name) + struct.pack('<I', len(dims)) + b''.join(struct.pack('<Q', d) for d in dims)
        out += struct.pack('<IQ', type_id, offset)
        padded = raw + b'\0' * (-len(raw) % 32)
        blobs += padded
        offset += len(padded)
    return out + b'\0' * (-len(out) % 32) + blobs


def f32(*dims, dtype='<f4'):
    return np.linspace(-1, 1, int(np.prod(dims))).astype(dtype).tobytes()


def model_keys(arch, d, heads, kv, layers, ffn):
    return [('general.architecture', arch), (f'{arch}.block_count', layers), (f'{arch}.embedding_length', d),
            (f'{arch}.feed_forward_length', ffn), (f'{arch}.attention.head_count', heads),
            (f'{arch}.attention.head_count_kv', kv), (f'{arch}.rope.freq_base', 10000.0),
            (f'{arch}.attention.layer_norm_rms_epsilon', 1e-5), (f'{arch}.attention.causal', False)]


# GGUF: a Q8_0 row (one 34-byte block) and F16; a minimal LLaDA (F16, q/k rows permuted on
# load); a minimal LLaDA-MoE (2 experts stacked, router, q/k norms). d 4, vocab 3.
q8_block = struct.pack('<e', 0.5) + bytes(range(32))
put('gguf', 'q8_0_f16', gguf([('general.architecture', 'llama'), ('general.alignment', 32)],
                             [('token_embd.weight', [32, 1], 8, q8_block),
                              ('output_norm.weight', [4], 1, f32(4, dtype='<f2'))]))
llada = [('token_embd.weight', [4, 3], 1, f32(3, 4, dtype='<f2')), ('output_norm.weight', [4], 0, f32(4)),
         ('blk.0.attn_norm.weight', [4], 0, f32(4)), ('blk.0.ffn_norm.weight', [4], 0, f32(4))]
for role, rows in [('attn_q', 4), ('attn_k', 4), ('attn_v', 4), ('attn_output', 4), ('ffn_gate', 2), ('ffn_up', 2)]:
    llada.append((f'blk.0.{role}.weight', [4, rows], 1, f32(rows, 4, dtype='<f2')))
llada.append(('blk.0.ffn_down.weight', [2, 4], 1, f32(4, 2, dtype='<f2')))
put('gguf', 'llada_min', gguf(model_keys('llada', 4, 2, 2, 1, 2) + [('tokenizer.ggml.mask_token_id', 2)], llada))
moe = [('token_embd.weight', [4, 3], 0, f32(3, 4)), ('output_norm.weight', [4], 0, f32(4)),
       ('output.weight', [4, 3], 0, f32(3, 4)), ('blk.0.attn_norm.weight', [4], 0, f32(4)),
       ('blk.0.attn_q.weight', [4, 4], 0, f32(4, 4)), ('blk.0.attn_k.weight', [4, 2], 0, f32(2, 4)),
       ('blk.0.attn_v.weight', [4, 2], 0, f32(2, 4)), ('blk.0.attn_output.weight', [4, 4], 0, f32(4, 4)),
       ('blk.0.attn_q_norm.weight', [2], 0, f32(2)), ('blk.0.attn_k_norm.weight', [2], 0, f32(2)),
       ('blk.0.ffn_norm.weight', [4], 0, f32(4)), ('blk.0.ffn_gate_inp.weight', [4, 2], 0, f32(2, 4)),
       ('blk.0.ffn_gate_exps.weight', [4, 2, 2], 0, f32(2, 2, 4)),
       ('blk.0.ffn_up_exps.weight', [4, 2, 2], 0, f32(2, 2, 4)),
       ('blk.0.ffn_down_exps.weight', [2, 4, 2], 0, f32(2, 4, 2))]
put('gguf', 'llada_moe_min', gguf(model_keys('llada-moe', 4, 2, 1, 1, 8) +
                                  [('llada-moe.expert_count', 2), ('llada-moe.expert_used_count', 1),
                                   ('llada-moe.expert_feed_forward_length', 2), ('tokenizer.ggml.mask_token_id', 2)],
                                  moe))
