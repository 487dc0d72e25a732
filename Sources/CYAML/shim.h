// libyaml from Debian's libyaml-dev. Cairn uses the event parser only; see Sources/CairnConfig/YAMLParser.swift.
#include <yaml.h>
