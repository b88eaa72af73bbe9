// OpenSSL's libcrypto (Debian: libssl-dev): only the EVP interface, for AES-128-CTR and SHA-256.
// Sources/VictronInstantReadout/LibCrypto.swift is the one Swift file that calls it.
#include <openssl/evp.h>
