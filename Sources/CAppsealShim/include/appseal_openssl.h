#ifndef APPSEAL_OPENSSL_H
#define APPSEAL_OPENSSL_H
#include <openssl/evp.h>
#include <openssl/x509.h>

// EVP_PKEY_Q_keygen is variadic; these fix its trailing argument per key family.
EVP_PKEY *appseal_EVP_PKEY_Q_keygen_ec(const char *curveName);
EVP_PKEY *appseal_EVP_PKEY_Q_keygen_rsa(size_t bits);

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

// OSSL_PARAM arrays keep pointers to their names and values; building them in C keeps those alive
// for the whole call, which Swift's temporary String-to-pointer bridging does not.
int appseal_HMAC_init(EVP_MAC_CTX *context, const unsigned char *key, size_t keyLength, const char *digestName);
int appseal_HKDF(const char *digestName, const unsigned char *key, size_t keyLength,
                 const unsigned char *salt, size_t saltLength, const unsigned char *info, size_t infoLength,
                 unsigned char *output, size_t outputLength);

#endif
