#include "commandline.h"

#include <cstdio>
#include <iterator>

namespace cli {

namespace {
const Command kCommands[] = {
    {"inspect", "list the tensors and other content of a checkpoint", &inspectCommand},
};
} // namespace

const Command *commands(std::size_t &count)
{
    count = std::size(kCommands);
    return kCommands;
}

const Command *findCommand(const QString &name)
{
    for (const auto &c : kCommands)
        if (name == QLatin1String(c.name))
            return &c;
    return nullptr;
}

void print(const std::string &text)
{
    std::fwrite(text.data(), 1, text.size(), stdout);
}

int reportError(const std::string &message)
{
    std::string line = message;
    for (auto &c : line)
        if (c == '\n')
            c = ' ';
    std::fprintf(stderr, "ckpt: %s\n", line.c_str());
    return Error;
}

} // namespace cli
