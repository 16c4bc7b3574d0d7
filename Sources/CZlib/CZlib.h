// zlib from Debian's zlib1g-dev, for the exchange's compression (MeridianCore/Exchange/ExchangeCompression.swift).
#include <zlib.h>
