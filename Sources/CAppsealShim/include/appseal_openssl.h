#ifndef APPSEAL_OPENSSL_H
#define APPSEAL_OPENSSL_H
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

// EVP_PKEY_Q_keygen is variadic; this fixes its trailing argument for RSA.
EVP_PKEY *appseal_EVP_PKEY_Q_keygen_rsa(size_t bits);
// An EC key made through the deprecated EC_KEY API. OpenSSL 3.0 builds a fresh OSSL_ENCODER/OSSL_DECODER context
// for every encoding of a provider-native key (0.4 ms per X509_set_pubkey, 0.13 ms per i2d_PUBKEY); a key
// carrying the built-in ASN.1 method takes the direct path (0.01 ms) and works with every EVP operation.
// That is half the time of issuing a client certificate (issue 3). Drop it with OpenSSL 3.2+, which caches them.
EVP_PKEY *appseal_generate_ec_key(int curveNID);

// sk_X509_* are macros over the generic OPENSSL_sk_* functions.
int appseal_sk_X509_num(const STACK_OF(X509) *stack);
X509 *appseal_sk_X509_value(const STACK_OF(X509) *stack, int index);
STACK_OF(X509) *appseal_sk_X509_new_null(void);
int appseal_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate);
void appseal_sk_X509_pop_free(STACK_OF(X509) *stack);
void appseal_sk_X509_free(STACK_OF(X509) *stack);

// --- CryptoCore ---
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/x509v3.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/pkcs12.h>

// OPENSSL_free is a macro over CRYPTO_free that records the caller's file and line.
void appseal_OPENSSL_free(void *pointer);
// BIO_get_mem_data is a macro over BIO_ctrl.
long appseal_BIO_get_mem_data(BIO *bio, char **data);
// XN_FLAG_RFC2253 is a macro built from other macros; we clear ESC_MSB so UTF-8 names print as UTF-8.
unsigned long appseal_name_flags_rfc2253_utf8(void);

// sk_GENERAL_NAME_* are macros over the generic OPENSSL_sk_* functions.
int appseal_sk_GENERAL_NAME_num(const GENERAL_NAMES *names);
GENERAL_NAME *appseal_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index);
GENERAL_NAMES *appseal_sk_GENERAL_NAME_new_null(void);
int appseal_sk_GENERAL_NAME_push(GENERAL_NAMES *names, GENERAL_NAME *name);
void appseal_sk_GENERAL_NAME_pop_free(GENERAL_NAMES *names);

// sk_ASN1_OBJECT_* (extendedKeyUsage) are macros.
int appseal_sk_ASN1_OBJECT_num(const STACK_OF(ASN1_OBJECT) *stack);
ASN1_OBJECT *appseal_sk_ASN1_OBJECT_value(const STACK_OF(ASN1_OBJECT) *stack, int index);

// sk_X509_REVOKED_* are macros.
int appseal_sk_X509_REVOKED_num(const STACK_OF(X509_REVOKED) *stack);
X509_REVOKED *appseal_sk_X509_REVOKED_value(const STACK_OF(X509_REVOKED) *stack, int index);

// sk_CMS_SignerInfo_* are macros.
int appseal_sk_CMS_SignerInfo_num(const STACK_OF(CMS_SignerInfo) *stack);
CMS_SignerInfo *appseal_sk_CMS_SignerInfo_value(const STACK_OF(CMS_SignerInfo) *stack, int index);

// sk_X509_CRL_* are macros.
STACK_OF(X509_CRL) *appseal_sk_X509_CRL_new_null(void);
int appseal_sk_X509_CRL_push(STACK_OF(X509_CRL) *stack, X509_CRL *crl);
void appseal_sk_X509_CRL_free(STACK_OF(X509_CRL) *stack);

// sk_PKCS7_* and sk_PKCS12_SAFEBAG_* are macros; used to walk PKCS#12 bags OpenSSL's own parser rejects.
int appseal_sk_PKCS7_num(const STACK_OF(PKCS7) *stack);
PKCS7 *appseal_sk_PKCS7_value(const STACK_OF(PKCS7) *stack, int index);
void appseal_sk_PKCS7_pop_free(STACK_OF(PKCS7) *stack);
int appseal_sk_PKCS12_SAFEBAG_num(const STACK_OF(PKCS12_SAFEBAG) *stack);
PKCS12_SAFEBAG *appseal_sk_PKCS12_SAFEBAG_value(const STACK_OF(PKCS12_SAFEBAG) *stack, int index);
void appseal_sk_PKCS12_SAFEBAG_pop_free(STACK_OF(PKCS12_SAFEBAG) *stack);

// OSSL_PARAM arrays keep pointers to their names and values; building them in C keeps those alive
// for the whole call, which Swift's temporary String-to-pointer bridging does not.
int appseal_HMAC_init(EVP_MAC_CTX *context, const unsigned char *key, size_t keyLength, const char *digestName);
int appseal_HKDF(const char *digestName, const unsigned char *key, size_t keyLength,
                 const unsigned char *salt, size_t saltLength, const unsigned char *info, size_t infoLength,
                 unsigned char *output, size_t outputLength);

// SHA256_Transform is deprecated in OpenSSL 3 and has no EVP equivalent. PBKDF2 and the PKCS#12 KDF are
// thousands of single-block compressions of precomputed HMAC states; EVP's per-call dispatch made them 5x the
// cost of the hashing itself. `state` is the eight working words, updated in place.
void appseal_sha256_compress(uint32_t state[8], const unsigned char block[64]);

#endif
