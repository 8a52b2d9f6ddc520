// A model's τ-bench tool call: the tool name picked by the first input byte (from the
// retail domain's tools, plus one unknown name), the rest the arguments text, run
// against the real retail database. Tools answer bad arguments with "Error: ...".
#include "fuzz_support.h"
#include "core/error.h"
#include "tasks/tau/environment.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const remask::tau::TauDomain& domain = remask::tau::load_tau_domain("tau-retail");
    static remask::tau::TauEnvironment env(domain);
    size_t pick = data[0] % (domain.tools.size() + 1);
    std::string tool = pick < domain.tools.size() ? domain.tools[pick].name : "no_such_tool";
    std::string arguments(remask::fuzz::as_text(data + 1, size - 1));
    (void)env.invoke_raw(tool, arguments);
    env.reset();
    return 0;
}
