extension AndroidRuntimeSources {
    static let sealedBlob = #"""
    # Reads assets/appseal/sealed.bin exactly as docs/sealed-blob-format.md (version 1) says. The file
    # is hostile input: every field and length is checked before what it covers is read, and the first
    # mismatch rejects the file.
    .class final Lio/appseal/runtime/v1/SealedBlob;
    .super Ljava/lang/Object;

    .method static invalid(Ljava/lang/String;)Ljava/security/GeneralSecurityException;
        .locals 1
        new-instance v0, Ljava/security/GeneralSecurityException;
        invoke-direct {v0, p0}, Ljava/security/GeneralSecurityException;-><init>(Ljava/lang/String;)V
        return-object v0
    .end method

    # Little-endian unsigned 16-bit value at offset (the caller has checked the bounds).
    .method static u16([BI)I
        .locals 2
        aget-byte v0, p0, p1
        and-int/lit16 v0, v0, 0xff
        add-int/lit8 v1, p1, 0x1
        aget-byte v1, p0, v1
        and-int/lit16 v1, v1, 0xff
        shl-int/lit8 v1, v1, 0x8
        or-int/2addr v0, v1
        return v0
    .end method

    # Little-endian 32-bit value at offset. A value of 2^31 or more comes back negative, and every
    # caller rejects a negative length as too large.
    .method static u32([BI)I
        .locals 2
        invoke-static {p0, p1}, Lio/appseal/runtime/v1/SealedBlob;->u16([BI)I
        move-result v0
        add-int/lit8 v1, p1, 0x2
        invoke-static {p0, v1}, Lio/appseal/runtime/v1/SealedBlob;->u16([BI)I
        move-result v1
        shl-int/lit8 v1, v1, 0x10
        or-int/2addr v0, v1
        return v0
    .end method

    # Whether data[offset ..< offset + prefix.length] equals prefix.
    .method static regionEquals([BI[B)Z
        .locals 3
        array-length v0, p2
        add-int v1, p1, v0
        array-length v2, p0
        if-gt v1, v2, :different
        const/4 v0, 0x0
        :next
        array-length v1, p2
        if-ge v0, v1, :equal
        add-int v1, p1, v0
        aget-byte v1, p0, v1
        aget-byte v2, p2, v0
        if-ne v1, v2, :different
        add-int/lit8 v0, v0, 0x1
        goto :next
        :equal
        const/4 v0, 0x1
        return v0
        :different
        const/4 v0, 0x0
        return v0
    .end method

    # Lower-case hex of data[offset ..< offset + count].
    .method static hex([BII)Ljava/lang/String;
        .locals 6
        const-string v0, "0123456789abcdef"
        new-instance v1, Ljava/lang/StringBuilder;
        invoke-direct {v1}, Ljava/lang/StringBuilder;-><init>()V
        const/4 v2, 0x0
        :next
        if-ge v2, p2, :done
        add-int v3, p1, v2
        aget-byte v3, p0, v3
        shr-int/lit8 v4, v3, 0x4
        and-int/lit8 v4, v4, 0xf
        invoke-virtual {v0, v4}, Ljava/lang/String;->charAt(I)C
        move-result v4
        invoke-virtual {v1, v4}, Ljava/lang/StringBuilder;->append(C)Ljava/lang/StringBuilder;
        and-int/lit8 v4, v3, 0xf
        invoke-virtual {v0, v4}, Ljava/lang/String;->charAt(I)C
        move-result v4
        invoke-virtual {v1, v4}, Ljava/lang/StringBuilder;->append(C)Ljava/lang/StringBuilder;
        add-int/lit8 v2, v2, 0x1
        goto :next
        :done
        invoke-virtual {v1}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
        move-result-object v0
        return-object v0
    .end method

    # Names both sides, so that `adb logcat -s appseal` shows which signer the device reports and which
    # ones the blob was sealed for (both are public certificate digests).
    .method static noSlotReason([BI[[B)Ljava/lang/String;
        .locals 6
        new-instance v0, Ljava/lang/StringBuilder;
        const-string v1, "the sealed blob has no slot for this app's signing certificate (re-signed with another key?): installed signer SHA-256 "
        invoke-direct {v0, v1}, Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V
        const/4 v2, 0x0
        :next_installed
        array-length v1, p2
        if-ge v2, v1, :installed_listed
        if-eqz v2, :first_installed
        const-string v1, ", "
        invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        :first_installed
        aget-object v3, p2, v2
        const/4 v4, 0x0
        array-length v5, v3
        invoke-static {v3, v4, v5}, Lio/appseal/runtime/v1/SealedBlob;->hex([BII)Ljava/lang/String;
        move-result-object v3
        invoke-virtual {v0, v3}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        add-int/lit8 v2, v2, 0x1
        goto :next_installed
        :installed_listed
        const-string v1, "; sealed for "
        invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        const/4 v2, 0x0
        :next_slot
        if-ge v2, p1, :slots_listed
        if-eqz v2, :first_slot
        const-string v1, ", "
        invoke-virtual {v0, v1}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        :first_slot
        mul-int/lit8 v3, v2, 0x5c
        add-int/lit8 v3, v3, 0x34
        const/16 v4, 0x20
        invoke-static {p0, v3, v4}, Lio/appseal/runtime/v1/SealedBlob;->hex([BII)Ljava/lang/String;
        move-result-object v3
        invoke-virtual {v0, v3}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
        add-int/lit8 v2, v2, 0x1
        goto :next_slot
        :slots_listed
        invoke-virtual {v0}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
        move-result-object v0
        return-object v0
    .end method

    # KEK = HKDF-SHA256(IKM = signer digest, salt = blob bytes 16..47,
    # info = "appseal sealed-blob v1 key-encryption key", L = 32) (RFC 5869). L is one SHA-256 block,
    # so the expansion is the single step T(1) = HMAC(PRK, info || 0x01).
    .method static keyEncryptionKey([B[B)[B
        .locals 5
        const-string v0, "HmacSHA256"
        invoke-static {v0}, Ljavax/crypto/Mac;->getInstance(Ljava/lang/String;)Ljavax/crypto/Mac;
        move-result-object v1
        new-instance v2, Ljavax/crypto/spec/SecretKeySpec;
        const/16 v3, 0x10
        const/16 v4, 0x20
        invoke-direct {v2, p1, v3, v4, v0}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BIILjava/lang/String;)V
        invoke-virtual {v1, v2}, Ljavax/crypto/Mac;->init(Ljava/security/Key;)V
        invoke-virtual {v1, p0}, Ljavax/crypto/Mac;->doFinal([B)[B
        move-result-object v2
        new-instance v3, Ljavax/crypto/spec/SecretKeySpec;
        invoke-direct {v3, v2, v0}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
        invoke-virtual {v1, v3}, Ljavax/crypto/Mac;->init(Ljava/security/Key;)V
        const/4 v0, 0x0
        invoke-static {v2, v0}, Ljava/util/Arrays;->fill([BB)V
        const-string v3, "appseal sealed-blob v1 key-encryption key"
        const-string v4, "US-ASCII"
        invoke-virtual {v3, v4}, Ljava/lang/String;->getBytes(Ljava/lang/String;)[B
        move-result-object v3
        invoke-virtual {v1, v3}, Ljavax/crypto/Mac;->update([B)V
        const/4 v3, 0x1
        invoke-virtual {v1, v3}, Ljavax/crypto/Mac;->update(B)V
        invoke-virtual {v1}, Ljavax/crypto/Mac;->doFinal()[B
        move-result-object v0
        return-object v0
    .end method

    # An AES-256-GCM cipher set to decrypt with key and the 12-byte nonce at nonceSource[nonceOffset].
    .method static decrypter([B[BI)Ljavax/crypto/Cipher;
        .locals 5
        const-string v0, "AES/GCM/NoPadding"
        invoke-static {v0}, Ljavax/crypto/Cipher;->getInstance(Ljava/lang/String;)Ljavax/crypto/Cipher;
        move-result-object v0
        new-instance v1, Ljavax/crypto/spec/SecretKeySpec;
        const-string v2, "AES"
        invoke-direct {v1, p0, v2}, Ljavax/crypto/spec/SecretKeySpec;-><init>([BLjava/lang/String;)V
        new-instance v2, Ljavax/crypto/spec/GCMParameterSpec;
        const/16 v3, 0x80
        const/16 v4, 0xc
        invoke-direct {v2, v3, p1, p2, v4}, Ljavax/crypto/spec/GCMParameterSpec;-><init>(I[BII)V
        # Cipher.DECRYPT_MODE
        const/4 v3, 0x2
        invoke-virtual {v0, v3, v1, v2}, Ljavax/crypto/Cipher;->init(ILjava/security/Key;Ljava/security/spec/AlgorithmParameterSpec;)V
        return-object v0
    .end method

    # The decrypted payload, for the first slot whose digest is one of the installed signers' digests.
    .method static open([B[[B)[B
        .locals 12
        # v0 = file length
        array-length v0, p0
        const/16 v1, 0x34
        if-ge v0, v1, :header_present
        const-string v2, "the sealed blob is shorter than its 52-byte header"
        goto :fail

        :header_present
        new-instance v1, Ljava/lang/String;
        const/4 v2, 0x0
        const/16 v3, 0x8
        const-string v4, "ISO-8859-1"
        invoke-direct {v1, p0, v2, v3, v4}, Ljava/lang/String;-><init>([BIILjava/lang/String;)V
        const-string v2, "APPSEAL\u0000"
        invoke-virtual {v2, v1}, Ljava/lang/String;->equals(Ljava/lang/Object;)Z
        move-result v1
        if-nez v1, :magic_ok
        const-string v2, "the asset is not an appseal sealed blob (wrong magic)"
        goto :fail

        :magic_ok
        const/4 v3, 0x1
        const/16 v1, 0x8
        invoke-static {p0, v1}, Lio/appseal/runtime/v1/SealedBlob;->u16([BI)I
        move-result v1
        if-eq v1, v3, :version_ok
        const-string v2, "the sealed blob's version is not 1"
        goto :fail

        :version_ok
        const/16 v1, 0xa
        invoke-static {p0, v1}, Lio/appseal/runtime/v1/SealedBlob;->u16([BI)I
        move-result v1
        if-eqz v1, :flags_ok
        const-string v2, "the sealed blob's flags are not 0"
        goto :fail

        :flags_ok
        const/16 v1, 0xc
        aget-byte v1, p0, v1
        if-ne v1, v3, :unknown_algorithm
        const/16 v1, 0xd
        aget-byte v1, p0, v1
        if-eq v1, v3, :algorithms_ok
        :unknown_algorithm
        const-string v2, "the sealed blob names a key derivation or cipher other than HKDF-SHA256 and AES-256-GCM"
        goto :fail

        :algorithms_ok
        const/16 v1, 0xe
        aget-byte v1, p0, v1
        const/16 v4, 0x20
        if-ne v1, v4, :wrong_lengths
        const/16 v1, 0xf
        aget-byte v1, p0, v1
        const/16 v4, 0xc
        if-eq v1, v4, :lengths_ok
        :wrong_lengths
        const-string v2, "the sealed blob's salt or nonce length is not 32 or 12"
        goto :fail

        :lengths_ok
        # v5 = slot count N
        const/16 v1, 0x30
        aget-byte v5, p0, v1
        and-int/lit16 v5, v5, 0xff
        if-lt v5, v3, :wrong_slot_count
        const/16 v1, 0x10
        if-le v5, v1, :slot_count_ok
        :wrong_slot_count
        const-string v2, "the sealed blob's slot count is not 1 to 16"
        goto :fail

        :slot_count_ok
        const/16 v1, 0x31
        aget-byte v1, p0, v1
        const/16 v4, 0x32
        aget-byte v4, p0, v4
        or-int/2addr v1, v4
        const/16 v4, 0x33
        aget-byte v4, p0, v4
        or-int/2addr v1, v4
        if-eqz v1, :reserved_ok
        const-string v2, "the sealed blob's reserved bytes are not 0"
        goto :fail

        :reserved_ok
        # v6 = 52 + 92 N, the payload nonce; v7 = v6 + 16, the ciphertext (and the payload AAD's length)
        mul-int/lit8 v6, v5, 0x5c
        add-int/lit8 v6, v6, 0x34
        add-int/lit8 v7, v6, 0x10
        if-ge v0, v7, :slots_present
        const-string v2, "the sealed blob ends inside its signer slots"
        goto :fail

        :slots_present
        # v8 = payload length L
        add-int/lit8 v1, v6, 0xc
        invoke-static {p0, v1}, Lio/appseal/runtime/v1/SealedBlob;->u32([BI)I
        move-result v8
        if-ltz v8, :payload_too_long
        const/high16 v1, 0x100000
        if-le v8, v1, :payload_length_ok
        :payload_too_long
        const-string v2, "the sealed blob's payload is longer than 1 MiB"
        goto :fail

        :payload_length_ok
        add-int v1, v7, v8
        add-int/lit8 v1, v1, 0x10
        if-eq v0, v1, :file_length_ok
        const-string v2, "the sealed blob's length does not match its header (truncated, or data after the tag)"
        goto :fail

        :file_length_ok
        # v9 = slot index, v10 = slot offset, v11 = digest index, v4 = the matching digest
        const/4 v9, 0x0
        :next_slot
        if-ge v9, v5, :no_slot
        mul-int/lit8 v10, v9, 0x5c
        add-int/lit8 v10, v10, 0x34
        const/4 v11, 0x0
        :next_digest
        array-length v1, p1
        if-ge v11, v1, :slot_done
        aget-object v4, p1, v11
        invoke-static {p0, v10, v4}, Lio/appseal/runtime/v1/SealedBlob;->regionEquals([BI[B)Z
        move-result v1
        if-nez v1, :slot_found
        add-int/lit8 v11, v11, 0x1
        goto :next_digest
        :slot_done
        add-int/lit8 v9, v9, 0x1
        goto :next_slot

        :slot_found
        :decrypt_start
        # the content key: AES-256-GCM under the KEK, AAD = bytes 0..51 || D
        invoke-static {v4, p0}, Lio/appseal/runtime/v1/SealedBlob;->keyEncryptionKey([B[B)[B
        move-result-object v1
        add-int/lit8 v2, v10, 0x20
        invoke-static {v1, p0, v2}, Lio/appseal/runtime/v1/SealedBlob;->decrypter([B[BI)Ljavax/crypto/Cipher;
        move-result-object v2
        const/4 v3, 0x0
        invoke-static {v1, v3}, Ljava/util/Arrays;->fill([BB)V
        const/16 v9, 0x34
        invoke-virtual {v2, p0, v3, v9}, Ljavax/crypto/Cipher;->updateAAD([BII)V
        invoke-virtual {v2, v4}, Ljavax/crypto/Cipher;->updateAAD([B)V
        # wrapped key (32) and its tag (16)
        add-int/lit8 v3, v10, 0x2c
        const/16 v9, 0x30
        invoke-virtual {v2, p0, v3, v9}, Ljavax/crypto/Cipher;->doFinal([BII)[B
        move-result-object v1
        # the payload: AES-256-GCM under the content key, AAD = bytes 0 .. 67 + 92 N
        invoke-static {v1, p0, v6}, Lio/appseal/runtime/v1/SealedBlob;->decrypter([B[BI)Ljavax/crypto/Cipher;
        move-result-object v2
        const/4 v3, 0x0
        invoke-static {v1, v3}, Ljava/util/Arrays;->fill([BB)V
        invoke-virtual {v2, p0, v3, v7}, Ljavax/crypto/Cipher;->updateAAD([BII)V
        add-int/lit8 v9, v8, 0x10
        invoke-virtual {v2, p0, v7, v9}, Ljavax/crypto/Cipher;->doFinal([BII)[B
        move-result-object v1
        :decrypt_end
        .catch Ljavax/crypto/AEADBadTagException; {:decrypt_start .. :decrypt_end} :tampered
        return-object v1

        :tampered
        const-string v2, "the sealed blob does not authenticate: it was altered after sealing"
        goto :fail

        :no_slot
        invoke-static {p0, v5, p1}, Lio/appseal/runtime/v1/SealedBlob;->noSlotReason([BI[[B)Ljava/lang/String;
        move-result-object v2

        :fail
        invoke-static {v2}, Lio/appseal/runtime/v1/SealedBlob;->invalid(Ljava/lang/String;)Ljava/security/GeneralSecurityException;
        move-result-object v2
        throw v2
    .end method
    """#
}
