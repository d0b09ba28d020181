/* test_sha256.c — SHA-256 against the FIPS 180-4 example vectors (the examples
 * document of NIST's Cryptographic Standards and Guidelines), padding boundaries,
 * streaming in odd pieces, and content id parsing. */
#include "sha256.h"
#include "testutil.h"

static void check_hex(const void *data, size_t size, const char *expected)
{
    uint8_t digest[RW_SHA256_DIGEST_SIZE];
    char hex[RW_SHA256_HEX_SIZE];
    rw_sha256_digest(data, size, digest);
    rw_sha256_to_hex(digest, hex);
    ck_assert_str_eq(hex, expected);
}

START_TEST(test_fips_vectors)
{
    check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_hex(two_blocks, strlen(two_blocks),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *long_message = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                               "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check_hex(long_message, strlen(long_message),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}
END_TEST

START_TEST(test_million_a)
{
    /* One million 'a', fed 1000 bytes at a time. */
    char thousand[1000];
    memset(thousand, 'a', sizeof thousand);
    rw_sha256_t context;
    rw_sha256_init(&context);
    for (int i = 0; i < 1000; i++)
        rw_sha256_update(&context, thousand, sizeof thousand);
    uint8_t digest[RW_SHA256_DIGEST_SIZE];
    char hex[RW_SHA256_HEX_SIZE];
    rw_sha256_final(&context, digest);
    rw_sha256_to_hex(digest, hex);
    ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

START_TEST(test_padding_boundaries)
{
    /* Lengths around the 56-byte padding limit and the 64-byte block. */
    char a[128];
    memset(a, 'a', sizeof a);
    check_hex(a, 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    check_hex(a, 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    check_hex(a, 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
    check_hex(a, 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    check_hex(a, 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
}
END_TEST

START_TEST(test_streaming_matches_one_shot)
{
    uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    for (size_t length = 0; length <= sizeof data; length += 13) {
        uint8_t expected[RW_SHA256_DIGEST_SIZE], actual[RW_SHA256_DIGEST_SIZE];
        rw_sha256_digest(data, length, expected);
        for (size_t piece = 1; piece <= 70; piece += 23) {
            rw_sha256_t context;
            rw_sha256_init(&context);
            for (size_t offset = 0; offset < length; offset += piece)
                rw_sha256_update(&context, data + offset,
                                 offset + piece <= length ? piece : length - offset);
            rw_sha256_final(&context, actual);
            ck_assert_mem_eq(actual, expected, sizeof expected);
        }
    }
}
END_TEST

START_TEST(test_parse_id)
{
    uint8_t digest[RW_SHA256_DIGEST_SIZE];
    char hex[RW_SHA256_HEX_SIZE];
    const char *id = "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    ck_assert(rw_sha256_parse_id(id, digest));
    rw_sha256_to_hex(digest, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert(!rw_sha256_parse_id("sha256:ba78", digest));
    ck_assert(!rw_sha256_parse_id("md5:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", digest));
    ck_assert(!rw_sha256_parse_id("sha256:zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", digest));
    ck_assert(!rw_sha256_parse_id(NULL, digest));
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("sha256");
    TCase *core = tcase_create("core");
    tcase_add_test(core, test_fips_vectors);
    tcase_add_test(core, test_million_a);
    tcase_add_test(core, test_padding_boundaries);
    tcase_add_test(core, test_streaming_matches_one_shot);
    tcase_add_test(core, test_parse_id);
    suite_add_tcase(suite, core);
    return test_run_suite(suite) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
