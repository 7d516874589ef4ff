/* fcgi/qr.c: the SVG is the code libqrencode makes, module for module. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <qrencode.h>

#include "qr.h"

#define SIDE_MAX 200

/* Paints the runs of svg's one path into dark (side x side). Returns side,
 * or -1 if svg is not of the expected shape. */
static int paint(const char *svg, unsigned char dark[SIDE_MAX][SIDE_MAX])
{
    const char *d;
    int side, side2, x, y, n, m, used;

    if (sscanf(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\"", &side,
               &side2) != 2 ||
        side != side2 || side > SIDE_MAX || !strstr(svg, "shape-rendering=\"crispEdges\"") ||
        strstr(strstr(svg, "<path") + 1, "<path") || !(d = strstr(svg, " d=\"")))
        return -1;
    memset(dark, 0, SIDE_MAX * SIDE_MAX);
    for (d += 4; *d == 'M'; d += used) {
        if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &m, &used) != 4 || n != m || n < 1 ||
            x < 0 || y < 0 || x + n > side || y >= side)
            return -1;
        for (int i = 0; i < n; i++)
            dark[y][x + i] = 1;
    }
    return strncmp(d, "\"/></svg>\n", 10) == 0 ? side : -1;
}

static void svg_is_the_code_with_a_quiet_zone(void **state)
{
    static unsigned char dark[SIDE_MAX][SIDE_MAX];
    const char *text = "CR3MB5NT1V";
    size_t len = 0;
    char *svg = qr_svg(text, &len);
    QRcode *code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int side;

    (void)state;
    assert_non_null(svg);
    assert_non_null(code);
    assert_int_equal(len, strlen(svg));
    side = paint(svg, dark);
    assert_int_equal(side, code->width + 2 * QR_QUIET_ZONE);
    assert_int_equal(side, 29); /* version 1 */
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            int cx = x - QR_QUIET_ZONE, cy = y - QR_QUIET_ZONE;
            int want = cx >= 0 && cy >= 0 && cx < code->width && cy < code->width
                           ? code->data[cy * code->width + cx] & 1
                           : 0;
            assert_int_equal(dark[y][x], want);
        }
    /* The top-left finder pattern: a dark 7x7 ring around a light ring and
     * a dark 3x3 core, right after the quiet zone. */
    for (int i = 0; i < 7; i++) {
        assert_int_equal(dark[4][4 + i], 1);
        assert_int_equal(dark[10][4 + i], 1);
        assert_int_equal(dark[4 + i][4], 1);
        assert_int_equal(dark[4 + i][10], 1);
    }
    assert_int_equal(dark[5][5], 0);
    assert_int_equal(dark[7][7], 1);
    QRcode_free(code);
    free(svg);
}

static void another_text_another_image(void **state)
{
    char *a = qr_svg("CR3MB5NT1V", NULL), *b = qr_svg("CR3MB5NT1W", NULL);

    (void)state;
    assert_non_null(a);
    assert_non_null(b);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
}

static void nothing_for_empty_or_too_long(void **state)
{
    char *big = malloc(5001);

    (void)state;
    assert_null(qr_svg("", NULL));
    assert_null(qr_svg(NULL, NULL));
    assert_non_null(big);
    memset(big, 'A', 5000);
    big[5000] = '\0';
    assert_null(qr_svg(big, NULL));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(svg_is_the_code_with_a_quiet_zone),
        cmocka_unit_test(another_text_another_image),
        cmocka_unit_test(nothing_for_empty_or_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
