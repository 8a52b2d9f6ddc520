#pragma once
// Typed errors. Each ends the operation it happens in and is printed at the command
// boundary as one line: "remask: error: <what>: <detail>".
//
// Expected failures (a 429, an unparseable answer) are values, not exceptions.

#include <stdexcept>
#include <string>

namespace remask {

class Error : public std::runtime_error {
public:
    // what: the file, field, status or thing at fault; detail: what is wrong and what to do.
    Error(std::string what, std::string detail)
        : std::runtime_error(what + ": " + detail), what_(std::move(what)), detail_(std::move(detail)) {}

    const std::string& subject() const { return what_; }
    const std::string& detail() const { return detail_; }
    virtual int exit_code() const { return 1; }

private:
    std::string what_;
    std::string detail_;
};

// The command line itself is wrong (exit code 2).
class UsageError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return 2; }
};

// A user's input is wrong: config, dataset, model file, prompt file.
class InputError : public Error {
public:
    using Error::Error;
};

// Something outside us failed: HTTP status, file system, a remote server.
class ExternalError : public Error {
public:
    using Error::Error;
};

// A budget cap stops new work cleanly.
class BudgetExhausted : public Error {
public:
    using Error::Error;
};

}  // namespace remask
