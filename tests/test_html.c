/* test_html.c — HTML to text through rw_ingest and rw_html_detect: blocks, lists,
 * dropped elements, entities, malformed markup, deep nesting, a 10 MB line, title and
 * date, and the byte map of entities and tags. */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "html.h"
#include "ingest.h"
#include "testutil.h"

static rw_text_t *ingest_html(const char *html)
{
    rw_text_t *text = NULL;
    char reason[256] = "";
    int rc = rw_ingest((const unsigned char *)html, strlen(html), &text, reason, sizeof reason);
    ck_assert_msg(rc == 0, "rw_ingest failed: %d %s", rc, reason);
    ck_assert_str_eq(text->format, "html");
    return text;
}

/* The clean text of html equals expected. */
static void assert_html_text(const char *html, const char *expected)
{
    rw_text_t *text = ingest_html(html);
    ck_assert_msg(strcmp(text->data, expected) == 0, "html %s\n  gave \"%s\"\n  not \"%s\"", html,
                  text->data, expected);
    rw_text_destroy(&text);
}

static void assert_map_sane(const rw_text_t *text)
{
    ck_assert_uint_eq(rw_text_start(text, text->length), text->original_size);
    ck_assert_uint_eq(rw_text_end(text, text->length), text->original_size);
    for (size_t i = 0; i < text->length; i++) {
        ck_assert_uint_lt(rw_text_start(text, i), rw_text_end(text, i));
        ck_assert_uint_le(rw_text_end(text, i), text->original_size);
        if (i > 0) {
            ck_assert_uint_le(rw_text_start(text, i - 1), rw_text_start(text, i));
            ck_assert_uint_le(rw_text_end(text, i - 1), rw_text_end(text, i));
        }
    }
}

START_TEST(test_detect)
{
    const char *yes[] = {
        "<!DOCTYPE html><p>x</p>", "  \n<html><body>x</body></html>", "<p>hi</p>",
        "<div class=a>hi</div>",   "<!-- c --><HTML>x",               "<?xml version=\"1.0\"?>\n<!doctype HTML>",
        "<body>\nx", "<h2>Title</h2>",
    };
    const char *no[] = {
        "Hello <p> world", "plain text", "<notatag>x</notatag>", "# Heading", "",
        "<pp>x</pp>",      "<",
    };
    for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++)
        ck_assert_msg(rw_html_detect((const unsigned char *)yes[k], strlen(yes[k])),
                      "not detected: %s", yes[k]);
    for (size_t k = 0; k < sizeof no / sizeof no[0]; k++)
        ck_assert_msg(!rw_html_detect((const unsigned char *)no[k], strlen(no[k])),
                      "wrongly detected: %s", no[k]);
    /* Plain text containing a tag later is text, with the tag kept. */
    rw_text_t *text = NULL;
    char reason[128];
    ck_assert_int_eq(rw_ingest((const unsigned char *)"Use <p> for paragraphs.", 23, &text,
                               reason, sizeof reason),
                     0);
    ck_assert_str_eq(text->format, "text");
    ck_assert_str_eq(text->data, "Use <p> for paragraphs.");
    rw_text_destroy(&text);
}
END_TEST

START_TEST(test_blocks)
{
    assert_html_text("<p>one</p><p>two</p>", "one\n\ntwo");
    assert_html_text("<p>a<br>b<br/>c</p>", "a\nb\nc");
    assert_html_text("<div>a</div>b<span>c</span>d", "a\n\nbcd");
    assert_html_text("<h1>Title</h1>\n\n  <p>Some\n   wrapped\ttext</p>",
                     "Title\n\nSome wrapped text");
    assert_html_text("<table><tr><td>a</td><td>b</td></tr></table>", "a\n\nb");
    assert_html_text("<blockquote>q</blockquote><section>s</section><article>t</article>",
                     "q\n\ns\n\nt");
    assert_html_text("<dl><dt>term</dt><dd>definition</dd></dl>", "term\n\ndefinition");
    assert_html_text("<pre>line 1\nline 2\n\nline 4</pre>after\nthis",
                     "line 1\nline 2\n\nline 4\n\nafter this");
    assert_html_text("<p>a <b>bold</b> and <i>it</i>alic</p>", "a bold and italic");
    assert_html_text("<p>trailing   </p>  <p>   leading</p>", "trailing\n\nleading");
}
END_TEST

START_TEST(test_lists)
{
    assert_html_text("<ul><li>one</li><li>two</li></ul>", "\xE2\x80\xA2 one\n\n\xE2\x80\xA2 two");
    assert_html_text("<ol><li>a<li>b<li>c</ol>", "1. a\n\n2. b\n\n3. c");
    assert_html_text("<ol start=\"5\"><li>e</li><li>f</li></ol>", "5. e\n\n6. f");
    assert_html_text("<ol><li>x<ul><li>in</li></ul></li><li>y</li></ol>",
                     "1. x\n\n\xE2\x80\xA2 in\n\n2. y");
    assert_html_text("<p>intro</p><li>stray</li>", "intro\n\n\xE2\x80\xA2 stray");
}
END_TEST

START_TEST(test_dropped_elements)
{
    const char *dropped[] = {"script",   "style",    "nav",    "header", "footer",
                             "form",     "button",   "select", "noscript", "template",
                             "svg",      "aside",    "iframe", "textarea"};
    for (size_t k = 0; k < sizeof dropped / sizeof dropped[0]; k++) {
        char html[256];
        snprintf(html, sizeof html,
                 "<html><body><p>before</p><%s class=\"x\">secret <b>bold</b> "
                 "<p>inner</p></%s><p>after</p></body></html>",
                 dropped[k], dropped[k]);
        assert_html_text(html, "before\n\nafter");
    }
    assert_html_text("<p>a</p><div role=\"navigation\">menu<div>sub</div>more</div><p>b</p>",
                     "a\n\nb");
    assert_html_text("<p>a</p><div aria-hidden=\"true\">x<div>y</div>z</div><p>b</p>", "a\n\nb");
    assert_html_text("<p>a<span aria-hidden=true>icon</span>b</p>", "ab");
    assert_html_text("<p>a<span aria-hidden=\"false\">shown</span>b</p>", "ashownb");
    /* Same-name nesting is counted; other tags inside do not end the drop. */
    assert_html_text("<nav><nav>a</nav>b</nav>c", "c");
    assert_html_text("<nav><div></nav></div>x", "x");
    /* Self-closing and void elements drop nothing. */
    assert_html_text("<p>a<svg/>b<img aria-hidden=\"true\">c</p>", "abc");
    /* Raw text: markup inside script is not markup. */
    assert_html_text("<script>document.write('</nav><p>x</p>')</script><p>ok</p>", "ok");
    assert_html_text("<style>p > a { color: red }</style>ok", "ok");
    /* Nothing is dropped past the end of the body. */
    assert_html_text("<body><p>a</p><aside>x</body><p>tail</p>", "a\n\ntail");
    /* Head text is not body text, but a body tag ends the head. */
    assert_html_text("<html><head><title>T</title><link rel=x>junk</head><body>b</body>", "b");
    assert_html_text("<head><title>T</title><p>para</p>", "para");
}
END_TEST

START_TEST(test_entities)
{
    static const struct {
        const char *entity;
        const char *utf8;
    } cases[] = {
        {"&amp;", "&"},           {"&lt;", "<"},             {"&gt;", ">"},
        {"&quot;", "\""},         {"&apos;", "'"},           {"&rsquo;", "\xE2\x80\x99"},
        {"&lsquo;", "\xE2\x80\x98"}, {"&ldquo;", "\xE2\x80\x9C"}, {"&rdquo;", "\xE2\x80\x9D"},
        {"&ndash;", "\xE2\x80\x93"}, {"&mdash;", "\xE2\x80\x94"}, {"&hellip;", "\xE2\x80\xA6"},
        {"&eacute;", "\xC3\xA9"}, {"&egrave;", "\xC3\xA8"},  {"&agrave;", "\xC3\xA0"},
        {"&ccedil;", "\xC3\xA7"}, {"&ntilde;", "\xC3\xB1"},  {"&oacute;", "\xC3\xB3"},
        {"&uacute;", "\xC3\xBA"}, {"&iacute;", "\xC3\xAD"},  {"&aacute;", "\xC3\xA1"},
        {"&ecirc;", "\xC3\xAA"},  {"&ocirc;", "\xC3\xB4"},   {"&uuml;", "\xC3\xBC"},
        {"&ouml;", "\xC3\xB6"},   {"&auml;", "\xC3\xA4"},    {"&laquo;", "\xC2\xAB"},
        {"&raquo;", "\xC2\xBB"},  {"&iexcl;", "\xC2\xA1"},   {"&iquest;", "\xC2\xBF"},
        {"&deg;", "\xC2\xB0"},    {"&euro;", "\xE2\x82\xAC"}, {"&copy;", "\xC2\xA9"},
        {"&reg;", "\xC2\xAE"},    {"&middot;", "\xC2\xB7"},  {"&bull;", "\xE2\x80\xA2"},
        {"&Eacute;", "\xC3\x89"}, {"&yuml;", "\xC3\xBF"},    {"&trade;", "\xE2\x84\xA2"},
        {"&#233;", "\xC3\xA9"},   {"&#xE9;", "\xC3\xA9"},    {"&#XE9;", "\xC3\xA9"},
        {"&#65", "A"},            {"&#128;", "\xE2\x82\xAC"}, {"&#0;", "\xEF\xBF\xBD"},
        {"&#xD800;", "\xEF\xBF\xBD"}, {"&#x110000;", "\xEF\xBF\xBD"},
        {"&#99999999999999;", "\xEF\xBF\xBD"}, {"&#x1F600;", "\xF0\x9F\x98\x80"},
        {"&amp ", "& "},          {"&foo;", "&foo;"},        {"&", "&"},
        {"&#;", "&#;"},           {"&#x;", "&#x;"},          {"&eacute", "&eacute"},
        {"&amp;nbsp;", "&nbsp;"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char html[128], expected[64];
        snprintf(html, sizeof html, "<p>x%sy</p>", cases[k].entity);
        snprintf(expected, sizeof expected, "x%sy", cases[k].utf8);
        assert_html_text(html, expected);
    }
    /* Entities that are white space or invisible follow the whitespace rules. */
    assert_html_text("<p>a&nbsp;&nbsp;b&shy;c&#x200B;d&#9;e&#10;f</p>", "a bcd e f");
    assert_html_text("<p>AT&T and R&D</p>", "AT&T and R&D");
}
END_TEST

START_TEST(test_malformed)
{
    assert_html_text("<p>one<p>two", "one\n\ntwo");
    assert_html_text("<p>a < b and c<d</p>", "a < b and c");
    assert_html_text("<p>1 <2 and 3 < 4</p>", "1 <2 and 3 < 4");
    assert_html_text("<div class=x id=y data-z = w>t</div>", "t");
    assert_html_text("<p>a<!-- hidden <p>x</p> -->b</p>", "ab");
    assert_html_text("<p>a<!-->b<!--->c</p>", "abc");
    assert_html_text("<p>a<![CDATA[<raw> & text]]>b</p>", "a<raw> & textb");
    assert_html_text("<p>a<!DOCTYPE weird>b<?php echo 1 ?>c</p>", "abc");
    assert_html_text("<p>a</>b</ p>c</p>", "a</>b</ p>c");
    assert_html_text("<p title='x > y'>t</p>", "t");
    /* A quote that never closes ends at white space or '>'. */
    assert_html_text("<p><a href=\"x>link</a> more</p>", "link more");
    assert_html_text("<p>a <b", "a");
    assert_html_text("<p>x<!-- never closed", "x");
    assert_html_text("<p>x<script>never closed", "x");
    assert_html_text("<P CLASS=\"A\">Upper</P><BR><DIV>case</DIV>", "Upper\n\ncase");
    assert_html_text("<p>x</p></div></div></ul></ol></pre>y", "x\n\ny");
}
END_TEST

START_TEST(test_title_and_date)
{
    rw_text_t *text = ingest_html("<html><head><title> Opening  remarks &amp; more\n</title>"
                                  "<meta name=\"date\" content=\"2012-07-12\"></head>"
                                  "<body><p>x</p></body></html>");
    ck_assert_str_eq(text->title, "Opening remarks & more");
    ck_assert_str_eq(text->date, "2012-07-12");
    ck_assert_str_eq(text->data, "x");
    rw_text_destroy(&text);

    text = ingest_html("<html><head><title>Site | Page</title>"
                       "<meta property=\"og:title\" content=\"Page &eacute;t&eacute;\">"
                       "<meta name=\"DC.date\" content=\"12 July 2012\"></head><p>x</p>");
    ck_assert_str_eq(text->title, "Page \xC3\xA9t\xC3\xA9");
    ck_assert_str_eq(text->date, "12 July 2012");
    rw_text_destroy(&text);

    text = ingest_html("<p>x</p><meta property='article:published_time' "
                       "content='2020-01-02T10:00:00Z'><time datetime=\"1999-01-01\">then</time>");
    ck_assert_ptr_null(text->title);
    ck_assert_str_eq(text->date, "2020-01-02T10:00:00Z");
    ck_assert_str_eq(text->data, "x\n\nthen");
    rw_text_destroy(&text);

    text = ingest_html("<p>Posted <time datetime=\"2012-07-12\">12 July</time></p>");
    ck_assert_str_eq(text->date, "2012-07-12");
    ck_assert_ptr_null(text->title);
    rw_text_destroy(&text);

    /* An empty title is no title; a title inside svg is not the page's. */
    text = ingest_html("<title>  </title><svg><title>icon</title></svg><p>x</p>");
    ck_assert_ptr_null(text->title);
    ck_assert_ptr_null(text->date);
    rw_text_destroy(&text);
}
END_TEST

START_TEST(test_byte_map)
{
    const char *html = "<p>Caf&eacute; \xC3\xA9t\xC3\xA9</p>\n<ul><li>item &amp; more</li></ul>"
                       "<p>a<br>b</p>";
    rw_text_t *text = ingest_html(html);
    ck_assert_str_eq(text->data, "Caf\xC3\xA9 \xC3\xA9t\xC3\xA9\n\n\xE2\x80\xA2 item & more\n\na\nb");
    assert_map_sane(text);
    for (size_t i = 0; i < text->length; i++) {
        unsigned char byte = (unsigned char)text->data[i];
        size_t start = rw_text_start(text, i), end = rw_text_end(text, i);
        if (byte == ' ' || byte == '\n')
            continue;
        if (html[start] == '&') {
            ck_assert_uint_eq((unsigned char)html[end - 1], ';');
            continue;
        }
        if (html[start] == '<') {
            ck_assert(strncmp(html + start, "<li>", 4) == 0); /* the list marker */
            continue;
        }
        /* A plain character maps to its own bytes. */
        size_t count = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : 3;
        size_t first = i;
        while (first > 0 && ((unsigned char)text->data[first] & 0xC0) == 0x80)
            first--;
        ck_assert_uint_eq(end - start, count);
        ck_assert(memcmp(html + start, text->data + first, count) == 0);
    }
    /* "é" from &eacute; spans the entity; "\n\n" after </p> spans "</p>\n<ul>". */
    size_t start, end;
    rw_text_span(text, 3, 5, &start, &end);
    ck_assert_uint_eq(start, 6);
    ck_assert_uint_eq(end, 14);
    const char *gap = strstr(text->data, "\n\n");
    rw_text_span(text, (size_t)(gap - text->data), (size_t)(gap - text->data) + 2, &start, &end);
    ck_assert_uint_eq(start, (size_t)(strstr(html, "</p>") - html));
    ck_assert_uint_eq(end, (size_t)(strstr(html, "<li>") - html) + 4);
    /* The marker maps to <li>. */
    const char *marker = strstr(text->data, "\xE2\x80\xA2");
    rw_text_span(text, (size_t)(marker - text->data), (size_t)(marker - text->data) + 3, &start,
                 &end);
    ck_assert(strncmp(html + start, "<li>", end - start) == 0);
    rw_text_destroy(&text);
}
END_TEST

/* Repeat piece count times into a new string. */
static char *repeat(const char *piece, size_t count, const char *middle)
{
    size_t length = strlen(piece);
    char *out = malloc(length * count + strlen(middle) + 1);
    ck_assert_ptr_nonnull(out);
    for (size_t k = 0; k < count; k++)
        memcpy(out + k * length, piece, length);
    strcpy(out + length * count, middle);
    return out;
}

/* Three strings joined, the first two freed. */
static char *join(char *first, char *second, const char *third)
{
    size_t a = strlen(first), b = strlen(second), c = strlen(third);
    char *out = malloc(a + b + c + 1);
    ck_assert_ptr_nonnull(out);
    memcpy(out, first, a);
    memcpy(out + a, second, b);
    memcpy(out + a + b, third, c + 1);
    free(first);
    free(second);
    return out;
}

START_TEST(test_deep_nesting)
{
    const size_t depth = 100000;
    char *html = join(repeat("<div>", depth, "deep"), repeat("</div>", depth, ""), "<p>end</p>");
    assert_html_text(html, "deep\n\nend");
    free(html);

    html = join(repeat("<ul><li>", depth, "leaf"), repeat("</li></ul>", depth, ""), "");
    rw_text_t *text = ingest_html(html);
    ck_assert_uint_eq(text->length, depth * 5 + 3); /* "•\n\n" per level, then "• leaf" */
    ck_assert(strncmp(text->data + text->length - 8, "\xE2\x80\xA2 leaf", 8) == 0);
    assert_map_sane(text);
    rw_text_destroy(&text);
    free(html);

    html = join(repeat("<nav><span>", depth, "hidden"), repeat("</span></nav>", depth, ""),
                "<p>shown</p>");
    assert_html_text(html, "shown");
    free(html);

    html = join(repeat("<b><!-- c -->", depth, "x"), repeat("&amp;</b>", depth, ""), "");
    text = ingest_html(html);
    ck_assert_uint_eq(text->length, depth + 1);
    rw_text_destroy(&text);
    free(html);
}
END_TEST

START_TEST(test_long_line)
{
    /* 10 MB on one line, mixed text, tags and entities. */
    const char *piece = "<span class=w>word</span> &amp; more <i>text</i>, ";
    size_t count = 10 * 1000 * 1000 / strlen(piece) + 1;
    char *html = repeat(piece, count, "");
    char *document = malloc(strlen(html) + 16);
    ck_assert_ptr_nonnull(document);
    strcpy(document, "<p>");
    strcat(document, html);
    free(html);
    ck_assert_uint_ge(strlen(document), 10 * 1000 * 1000);
    clock_t before = clock();
    rw_text_t *text = ingest_html(document);
    double seconds = (double)(clock() - before) / CLOCKS_PER_SEC;
    ck_assert_uint_eq(text->length, count * strlen("word & more text, ") - 1);
    ck_assert(strncmp(text->data, "word & more text, word", 22) == 0);
    /* Linear: generous even under sanitizers on a shared machine. */
    ck_assert_msg(seconds < 20, "10 MB line took %.1f s", seconds);
    rw_text_destroy(&text);

    /* A 10 MB text line with an unclosed quote early: still linear, nothing lost. */
    const char *head = "<p><a title=\"unclosed>x</a> ";
    char *words = repeat("word ", 2 * 1000 * 1000, "");
    char *start = malloc(strlen(head) + 1);
    ck_assert_ptr_nonnull(start);
    strcpy(start, head);
    char *line = join(start, words, "end");
    text = ingest_html(line);
    ck_assert_uint_eq(text->length, 2 + 5 * 2 * 1000 * 1000 + 3);
    rw_text_destroy(&text);
    free(line);
    free(document);
}
END_TEST

static Suite *html_suite(void)
{
    Suite *suite = suite_create("html");
    TCase *tcase = tcase_create("core");
    tcase_set_timeout(tcase, 120);
    tcase_add_test(tcase, test_detect);
    tcase_add_test(tcase, test_blocks);
    tcase_add_test(tcase, test_lists);
    tcase_add_test(tcase, test_dropped_elements);
    tcase_add_test(tcase, test_entities);
    tcase_add_test(tcase, test_malformed);
    tcase_add_test(tcase, test_title_and_date);
    tcase_add_test(tcase, test_byte_map);
    tcase_add_test(tcase, test_deep_nesting);
    tcase_add_test(tcase, test_long_line);
    suite_add_tcase(suite, tcase);
    return suite;
}

int main(void)
{
    return test_run_suite(html_suite()) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
