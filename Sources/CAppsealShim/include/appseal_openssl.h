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

#endif
