#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>
#include <openssl/sha.h>
#include <openssl/ec.h>
#include "appseal_openssl.h"

EVP_PKEY *appseal_generate_ec_key(int curveNID) {
    EC_KEY *key = EC_KEY_new_by_curve_name(curveNID);
    if (key == NULL) return NULL;
    EVP_PKEY *pkey = EVP_PKEY_new();
    if (pkey == NULL || EC_KEY_generate_key(key) != 1 || EVP_PKEY_assign(pkey, EVP_PKEY_EC, key) != 1) {
        EC_KEY_free(key);
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

EVP_PKEY *appseal_EVP_PKEY_Q_keygen_rsa(size_t bits) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);
}

int appseal_sk_X509_num(const STACK_OF(X509) *stack) { return sk_X509_num(stack); }
X509 *appseal_sk_X509_value(const STACK_OF(X509) *stack, int index) { return sk_X509_value(stack, index); }
STACK_OF(X509) *appseal_sk_X509_new_null(void) { return sk_X509_new_null(); }
int appseal_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate) { return sk_X509_push(stack, certificate); }
void appseal_sk_X509_pop_free(STACK_OF(X509) *stack) { sk_X509_pop_free(stack, X509_free); }
void appseal_sk_X509_free(STACK_OF(X509) *stack) { sk_X509_free(stack); }

// --- CryptoCore ---
void appseal_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
long appseal_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
unsigned long appseal_name_flags_rfc2253_utf8(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }

int appseal_sk_GENERAL_NAME_num(const GENERAL_NAMES *names) { return sk_GENERAL_NAME_num(names); }
GENERAL_NAME *appseal_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index) { return sk_GENERAL_NAME_value(names, index); }
GENERAL_NAMES *appseal_sk_GENERAL_NAME_new_null(void) { return sk_GENERAL_NAME_new_null(); }
int appseal_sk_GENERAL_NAME_push(GENERAL_NAMES *names, GENERAL_NAME *name) { return sk_GENERAL_NAME_push(names, name); }
void appseal_sk_GENERAL_NAME_pop_free(GENERAL_NAMES *names) { sk_GENERAL_NAME_pop_free(names, GENERAL_NAME_free); }

int appseal_sk_ASN1_OBJECT_num(const STACK_OF(ASN1_OBJECT) *stack) { return sk_ASN1_OBJECT_num(stack); }
ASN1_OBJECT *appseal_sk_ASN1_OBJECT_value(const STACK_OF(ASN1_OBJECT) *stack, int index) { return sk_ASN1_OBJECT_value(stack, index); }

int appseal_sk_X509_REVOKED_num(const STACK_OF(X509_REVOKED) *stack) { return sk_X509_REVOKED_num(stack); }
X509_REVOKED *appseal_sk_X509_REVOKED_value(const STACK_OF(X509_REVOKED) *stack, int index) { return sk_X509_REVOKED_value(stack, index); }

int appseal_sk_CMS_SignerInfo_num(const STACK_OF(CMS_SignerInfo) *stack) { return sk_CMS_SignerInfo_num(stack); }
CMS_SignerInfo *appseal_sk_CMS_SignerInfo_value(const STACK_OF(CMS_SignerInfo) *stack, int index) { return sk_CMS_SignerInfo_value(stack, index); }

STACK_OF(X509_CRL) *appseal_sk_X509_CRL_new_null(void) { return sk_X509_CRL_new_null(); }
int appseal_sk_X509_CRL_push(STACK_OF(X509_CRL) *stack, X509_CRL *crl) { return sk_X509_CRL_push(stack, crl); }
void appseal_sk_X509_CRL_free(STACK_OF(X509_CRL) *stack) { sk_X509_CRL_free(stack); }

int appseal_HMAC_init(EVP_MAC_CTX *context, const unsigned char *key, size_t keyLength, const char *digestName) {
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digestName, 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_init(context, key, keyLength, params);
}

int appseal_HKDF(const char *digestName, const unsigned char *key, size_t keyLength,
                 const unsigned char *salt, size_t saltLength, const unsigned char *info, size_t infoLength,
                 unsigned char *output, size_t outputLength) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (kdf == NULL) return 0;
    EVP_KDF_CTX *context = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (context == NULL) return 0;
    OSSL_PARAM params[5];
    size_t count = 0;
    params[count++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digestName, 0);
    params[count++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, keyLength);
    if (saltLength > 0) params[count++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltLength);
    if (infoLength > 0) params[count++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infoLength);
    params[count] = OSSL_PARAM_construct_end();
    int status = EVP_KDF_derive(context, output, outputLength, params);
    EVP_KDF_CTX_free(context);
    return status;
}

int appseal_sk_PKCS7_num(const STACK_OF(PKCS7) *stack) { return sk_PKCS7_num(stack); }
PKCS7 *appseal_sk_PKCS7_value(const STACK_OF(PKCS7) *stack, int index) { return sk_PKCS7_value(stack, index); }
void appseal_sk_PKCS7_pop_free(STACK_OF(PKCS7) *stack) { sk_PKCS7_pop_free(stack, PKCS7_free); }
int appseal_sk_PKCS12_SAFEBAG_num(const STACK_OF(PKCS12_SAFEBAG) *stack) { return sk_PKCS12_SAFEBAG_num(stack); }
PKCS12_SAFEBAG *appseal_sk_PKCS12_SAFEBAG_value(const STACK_OF(PKCS12_SAFEBAG) *stack, int index) { return sk_PKCS12_SAFEBAG_value(stack, index); }
void appseal_sk_PKCS12_SAFEBAG_pop_free(STACK_OF(PKCS12_SAFEBAG) *stack) { sk_PKCS12_SAFEBAG_pop_free(stack, PKCS12_SAFEBAG_free); }

void appseal_sha256_compress(uint32_t state[8], const unsigned char block[64]) {
    SHA256_CTX context;
    memcpy(context.h, state, sizeof(context.h));
    SHA256_Transform(&context, block);
    memcpy(state, context.h, sizeof(context.h));
}
