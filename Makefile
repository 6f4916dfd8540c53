# Khabar build.  Plain make, one file.
#
#   make                 library + CLI in build/
#   make SAN=1           the same with AddressSanitizer + UBSan in build-san/
#   make test            build and run the tests (tests/run.sh)
#   make fuzz            libFuzzer targets in build-fuzz/ (clang)
#   make bench           benchmarks in build/bench/
#   make format-check    clang-format, as CI runs it
#
# WERROR=-Werror turns warnings into errors (CI does); the default leaves it
# off so that a newer compiler cannot break a user's build.

CC      ?= cc
WERROR  ?=
OPT     ?= -O2
SAN     ?=

ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
           -fno-omit-frame-pointer
OPT      = -O1
else
BUILD   ?= build
SANFLAGS =
endif

WARN = -Wall -Wextra -Wshadow -Wundef -Wwrite-strings -Wredundant-decls \
       -Wdouble-promotion -Wmissing-declarations -Wmissing-prototypes \
       -Wstrict-prototypes -Wold-style-definition -Wconversion \
       -Wno-sign-conversion -Wvla -Wformat=2

PKGS     = libutf8proc jansson zlib sqlite3 libxml-2.0 libcurl libmicrohttpd \
           libcrypto
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CPPFLAGS += -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L
CFLAGS   += -std=c17 $(OPT) -g $(WARN) $(WERROR) $(SANFLAGS) \
            -fvisibility=hidden $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS)
LDLIBS   += $(PKG_LIBS) -lstemmer -lpthread -lm

LIB_SRC  = $(wildcard src/*/*.c)
GEN_SRC  = $(BUILD)/gen/stopwords_data.c $(BUILD)/gen/ner_model.c
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(GEN_SRC:.c=.o)
CLI_SRC  = $(wildcard cli/*.c)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
SRV_SRC  = $(wildcard server/*.c)
WEB_FILES = web/index.html web/app.js web/style.css
WEB_OBJ  = $(BUILD)/gen/web_index_html.o $(BUILD)/gen/web_app_js.o \
           $(BUILD)/gen/web_style_css.o
SRV_OBJ  = $(SRV_SRC:%.c=$(BUILD)/%.o) $(WEB_OBJ)
TEST_SRC = $(wildcard tests/unit/test_*.c)
TEST_BIN = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB      = $(BUILD)/libkhabar.a
KHABAR   = $(BUILD)/khabar

.PHONY: all test fuzz bench tools format format-check clean
all: $(LIB) $(KHABAR)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/stopwords_data.c: data/stopwords/ar.txt tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh kh__stopwords_data $< > $@

# The entity tagger's model, compiled in so that any working directory
# will do ($KHABAR_NER_MODEL overrides it).
$(BUILD)/gen/ner_model.c: data/ner/model.txt tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh kh__ner_model_data $< > $@

# The web UI, compiled in: web/app.js becomes kh__web_app_js[].
$(BUILD)/gen/web_%.c: tools/embed.sh $(WEB_FILES)
	@mkdir -p $(dir $@)
	sh tools/embed.sh kh__web_$* $(subst _,.,$(patsubst %,web/%,$*)) > $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(KHABAR): $(CLI_OBJ) $(SRV_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $(CLI_OBJ) $(SRV_OBJ) $(LIB) $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -Wno-missing-prototypes \
	    -Wno-missing-declarations $< $(LIB) \
	    $(LDFLAGS) $(shell pkg-config --libs cmocka) $(LDLIBS) -o $@

test: all $(TEST_BIN)
	BUILD=$(BUILD) sh tests/run.sh

# Fuzzing: clang with libFuzzer, ASan and UBSan, a build of its own.  The
# library is compiled once for all targets.
FUZZ_CC    ?= clang
FUZZ_BUILD  = build-fuzz
FUZZ_CFLAGS = -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
              $(PKG_CFLAGS)
FUZZ_FLAGS  = $(FUZZ_CFLAGS) -fsanitize=fuzzer
FUZZ_SRC    = $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN    = $(FUZZ_SRC:fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_OBJ    = $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o) \
              $(FUZZ_BUILD)/obj/gen/stopwords_data.o \
              $(FUZZ_BUILD)/obj/gen/ner_model.o
FUZZ_LIB    = $(FUZZ_BUILD)/libkhabar-fuzz.a
fuzz: $(FUZZ_BIN)
$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=c17 $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(FUZZ_BUILD)/obj/gen/stopwords_data.c: data/stopwords/ar.txt tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh kh__stopwords_data $< > $@
$(FUZZ_BUILD)/obj/gen/ner_model.c: data/ner/model.txt tools/embed.sh
	@mkdir -p $(dir $@)
	sh tools/embed.sh kh__ner_model_data $< > $@
$(FUZZ_BUILD)/obj/gen/%.o: $(FUZZ_BUILD)/obj/gen/%.c
	$(FUZZ_CC) $(CPPFLAGS) -std=c17 $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_LIB): $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^
# The server's request handling, without its network layer (http.c).
FUZZ_SRV_OBJ = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,\
                 $(filter-out server/http.c,$(SRV_SRC)) cli/article.c \
                 cli/util.c) \
               $(WEB_OBJ:$(BUILD)/gen/%=$(FUZZ_BUILD)/obj/gen/%)
$(FUZZ_BUILD)/obj/gen/web_%.c: tools/embed.sh $(WEB_FILES)
	@mkdir -p $(dir $@)
	sh tools/embed.sh kh__web_$* $(subst _,.,$(patsubst %,web/%,$*)) > $@
$(FUZZ_BUILD)/fuzz_http: fuzz/fuzz_http.c $(FUZZ_SRV_OBJ) $(FUZZ_LIB)
	$(FUZZ_CC) $(CPPFLAGS) -std=c17 $(FUZZ_FLAGS) $< $(FUZZ_SRV_OBJ) \
	    $(FUZZ_LIB) $(LDLIBS) -o $@
$(FUZZ_BUILD)/%: fuzz/%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(CPPFLAGS) -std=c17 $(FUZZ_FLAGS) $< $(FUZZ_LIB) \
	    $(LDLIBS) -o $@

# Tools that build shipped data: build/tools/train_ner (docs/entities.md).
TOOL_SRC = $(wildcard tools/*.c)
tools: $(TOOL_SRC:tools/%.c=$(BUILD)/tools/%)
$(BUILD)/tools/%: tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes $< $(LIB) \
	    $(LDFLAGS) $(LDLIBS) -o $@

BENCH_SRC = $(wildcard bench/*.c)
BENCH_BIN = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
bench: $(BENCH_BIN)
$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes $< $(LIB) \
	    $(LDFLAGS) $(LDLIBS) -o $@

FORMAT_FILES = $(wildcard include/khabar/*.h src/*.h src/*/*.h src/*/*.c \
               cli/*.c cli/*.h server/*.c server/*.h tests/unit/*.c tests/unit/*.h fuzz/*.c \
               bench/*.c)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SRV_SRC:%.c=$(BUILD)/%.d) $(FUZZ_OBJ:.o=.d)
