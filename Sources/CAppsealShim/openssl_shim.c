#include "appseal_openssl.h"

EVP_PKEY *appseal_EVP_PKEY_Q_keygen_ec(const char *curveName) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curveName);
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
