#include "optimize/projection.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace remask::optimize {

Projection project_run(const ProjectionInputs& in) {
    const Settings& s = in.settings;
    const double b = static_cast<double>(
        std::min<int64_t>(s.optimizer.minibatch, static_cast<int64_t>(in.train)));
    const double k = static_cast<double>(s.optimizer.candidates);
    const double v = static_cast<double>(in.val);
    const double cpe = in.target_calls_per_example;
    const double per_iteration = (b + k * b + in.acceptance_rate * k * v) * cpe;
    const bool dlm = s.optimizer.proposer == "dlm" || s.optimizer.proposer == "dlm-blind";
    const double forwards_per_iteration =
        dlm ? static_cast<double>(s.dlm.steps) + (s.optimizer.mask_plan == "confidence" ? 4.0 : 0.0)
            : 0.0;

    // With the dual KV cache a proposal makes one full forward per kv_refresh steps (at least
    // one, and one per block); the rest compute only the masked rows.
    double full_per_iteration = forwards_per_iteration;
    if (dlm && s.dlm.kv_cache == "dual") {
        const double steps = static_cast<double>(s.dlm.steps);
        double full = std::ceil(steps / static_cast<double>(s.dlm.kv_refresh));
        if (s.dlm.block_length > 0) full = std::max(full, std::ceil(steps / static_cast<double>(s.dlm.block_length)));
        full_per_iteration = std::min(steps, full) + (forwards_per_iteration - steps);
    }
    const double partial_ms = in.partial_forward_ms > 0 ? in.partial_forward_ms : in.forward_ms;
    const double iteration_ms = full_per_iteration * in.forward_ms +
                                (forwards_per_iteration - full_per_iteration) * partial_ms;

    Projection p;
    p.kv_cache_bytes = in.kv_cache_bytes;
    double iterations = -1;
    auto bound = [&](double n) { iterations = iterations < 0 ? n : std::min(iterations, n); };
    if (s.budget.target_calls > 0)
        bound(std::max(0.0, (s.budget.target_calls - v * cpe) / per_iteration));
    const double user_per_iteration = per_iteration / cpe * in.user_calls_per_example;
    if (s.budget.user_calls > 0 && in.user_calls_per_example > 0)
        bound(std::max(0.0, (s.budget.user_calls - v * in.user_calls_per_example) / user_per_iteration));
    if (s.budget.dlm_forwards > 0 && forwards_per_iteration > 0)
        bound(static_cast<double>(s.budget.dlm_forwards) / forwards_per_iteration);
    if (s.budget.wall_s > 0 && in.forward_ms > 0 && forwards_per_iteration > 0)
        bound(s.budget.wall_s / (iteration_ms / 1000.0));
    if (s.optimizer.patience > 0 && iterations < 0)
        bound(4.0 * static_cast<double>(s.optimizer.patience));
    p.iterations = iterations < 0 ? -1 : static_cast<int64_t>(std::ceil(iterations));

    const double its = std::max<double>(0, static_cast<double>(p.iterations));
    p.target_calls_search = s.budget.target_calls > 0
                                ? s.budget.target_calls
                                : static_cast<int64_t>(std::ceil(v * cpe + its * per_iteration));
    p.target_calls_test = static_cast<int64_t>(std::ceil(2 * static_cast<double>(in.test) * cpe));
    if (in.user_calls_per_example > 0) {
        const double estimate = v * in.user_calls_per_example + its * user_per_iteration;
        p.user_calls_search = s.budget.user_calls > 0
                                  ? std::min<int64_t>(s.budget.user_calls, static_cast<int64_t>(std::ceil(estimate)))
                                  : static_cast<int64_t>(std::ceil(estimate));
        p.user_calls_test =
            static_cast<int64_t>(std::ceil(2 * static_cast<double>(in.test) * in.user_calls_per_example));
    }
    p.notes = in.notes;
    p.rewriter_calls = s.optimizer.proposer == "ar-rewrite" ? static_cast<int64_t>(its * k) : 0;
    p.dlm_forwards = static_cast<int64_t>(its * forwards_per_iteration);
    p.dlm_full_forwards = static_cast<int64_t>(its * full_per_iteration);
    p.dlm_seconds = its * iteration_ms / 1000.0;

    const double in_tokens = static_cast<double>(in.prompt_tokens) + in.input_tokens_per_example;
    const double out_tokens =
        std::min<double>(in.output_tokens_per_call, static_cast<double>(s.target.max_tokens));
    const double target_calls = static_cast<double>(p.target_calls_search + p.target_calls_test);
    double tokens = target_calls * (in_tokens + out_tokens);
    double usd =
        target_calls *
        (in_tokens * s.target.price_input_per_mtok + out_tokens * s.target.price_output_per_mtok) /
        1e6;
    if (p.rewriter_calls > 0) {
        const EndpointSettings r = s.rewriter.value_or(s.target);
        const double r_in = 1536 + 2.0 * static_cast<double>(in.prompt_tokens),
                     r_out = static_cast<double>(in.prompt_tokens) + 64;
        tokens += p.rewriter_calls * (r_in + r_out);
        usd += p.rewriter_calls *
               (r_in * r.price_input_per_mtok + r_out * r.price_output_per_mtok) / 1e6;
    }
    if (in.user_calls_per_example > 0) {
        // The simulated user sees its instruction and the conversation so far, not the policy.
        const EndpointSettings u = s.user.value_or(s.target);
        const double u_in = 600, u_out = 30;
        const double user_calls = static_cast<double>(p.user_calls_search + p.user_calls_test);
        tokens += user_calls * (u_in + u_out);
        usd += user_calls * (u_in * u.price_input_per_mtok + u_out * u.price_output_per_mtok) / 1e6;
    }
    p.tokens = static_cast<int64_t>(tokens);
    p.usd = usd;
    return p;
}

std::string Projection::text() const {
    std::ostringstream out;
    char usd_text[32];
    std::snprintf(usd_text, sizeof usd_text, "%.2f", usd);
    out << "projection (upper bounds where a [budget] cap is set, estimates otherwise):\n"
        << "  iterations      "
        << (iterations < 0 ? std::string("unbounded (no cap limits the loop)")
                           : "~" + std::to_string(iterations))
        << "\n"
        << "  target calls    " << target_calls_search << " for the search + " << target_calls_test
        << " for the test split\n";
    if (user_calls_search > 0 || user_calls_test > 0)
        out << "  user calls      ~" << user_calls_search << " for the search + ~" << user_calls_test
            << " for the test split (simulated user)\n";
    if (rewriter_calls > 0) out << "  rewriter calls  ~" << rewriter_calls << "\n";
    out << "  tokens          ~" << tokens << "\n"
        << "  money           ~$" << usd_text << "\n";
    if (dlm_forwards > 0) {
        out << "  DLM forwards    ~" << dlm_forwards;
        if (dlm_seconds > 0)
            out << " (~" << static_cast<int64_t>(std::ceil(dlm_seconds)) << " s of DLM time)";
        if (dlm_full_forwards < dlm_forwards)
            out << ", " << dlm_full_forwards << " of them full (dual KV cache)";
        out << "\n";
        if (kv_cache_bytes > 0) {
            char size[32];
            const double mib = static_cast<double>(kv_cache_bytes) / (1024.0 * 1024);
            if (mib >= 1024)
                std::snprintf(size, sizeof size, "%.2f GiB", mib / 1024);
            else
                std::snprintf(size, sizeof size, "%.1f MiB", mib);
            out << "  DLM KV cache    " << size << " while a proposal is denoised\n";
        }
    }
    for (const std::string& note : notes) out << "  note: " << note << "\n";
    return out.str();
}

nlohmann::json Projection::to_json() const {
    return {{"iterations", iterations},
            {"target_calls_search", target_calls_search},
            {"target_calls_test", target_calls_test},
            {"user_calls_search", user_calls_search},
            {"user_calls_test", user_calls_test},
            {"rewriter_calls", rewriter_calls},
            {"dlm_forwards", dlm_forwards},
            {"dlm_full_forwards", dlm_full_forwards},
            {"kv_cache_bytes", kv_cache_bytes},
            {"tokens", tokens},
            {"usd", usd},
            {"dlm_seconds", dlm_seconds}};
}

}  // namespace remask::optimize
