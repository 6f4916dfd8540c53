/*
 * main.c -- the khabar command: dispatches to one cmd_*.c per subcommand.
 */
#include "cli.h"

#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"ingest", kh_cmd_ingest,
     "add articles (JSONL, HTML, RSS/Atom, WARC, text) to the index"},
    {"follow", kh_cmd_follow, "poll news feeds and ingest new items"},
    {"search", kh_cmd_search, "search the index"},
    {"show", kh_cmd_show, "print one article"},
    {"story", kh_cmd_story, "an article's story: its articles and sources"},
    {"related", kh_cmd_related, "articles related to one"},
    {"serve", kh_cmd_serve, "the HTTP API, Atom feeds and the Arabic web UI"},
    {"entities", kh_cmd_entities,
     "people, places, organizations, dates and figures of an article"},
    {"timeline", kh_cmd_timeline, "dated events of a story or an entity"},
    {"subscribe", kh_cmd_subscribe, "save a search for an e-mail digest"},
    {"subscriptions", kh_cmd_subscriptions, "list the saved searches"},
    {"digest", kh_cmd_digest,
     "match new articles, queue due digests, print or send them"},
    {"delete", kh_cmd_delete, "delete articles by id"},
    {"stats", kh_cmd_stats, "describe the index"},
    {"extract", kh_cmd_extract,
     "print the article of an HTML page (title, date, body, ...)"},
    {"analyze", kh_cmd_analyze,
     "print the tokens of Arabic text (offsets, normalized form, stem)"},
};

static void
usage(FILE *f)
{
    fputs("usage: khabar COMMAND [OPTIONS] [ARGS]\n\ncommands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fputs("\nkhabar COMMAND --help shows a command's options.\n", f);
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("khabar %s\n", KHABAR_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command '%s' (see khabar --help)", argv[1]);
    return 2;
}
