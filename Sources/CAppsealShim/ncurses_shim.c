#include "appseal_ncurses.h"

unsigned int appseal_A_NORMAL(void) { return A_NORMAL; }
unsigned int appseal_A_BOLD(void) { return A_BOLD; }
unsigned int appseal_A_REVERSE(void) { return A_REVERSE; }
unsigned int appseal_A_UNDERLINE(void) { return A_UNDERLINE; }
unsigned int appseal_A_DIM(void) { return A_DIM; }
unsigned int appseal_COLOR_PAIR(int pair) { return (unsigned int)COLOR_PAIR(pair); }

#include <signal.h>
#include <string.h>

mmask_t appseal_mouse_wanted_mask(void) {
    return BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED;
}

int appseal_mouse_kind(mmask_t state) {
    if (state & BUTTON4_PRESSED) return 2;
    if (state & BUTTON5_PRESSED) return 3;
    if (state & (BUTTON1_CLICKED | BUTTON1_PRESSED)) return 1;
    return 0;
}

static volatile sig_atomic_t appseal_pending_signal = 0;
static volatile sig_atomic_t appseal_curses_active = 0;
static const int appseal_termination_signals[] = { SIGINT, SIGTERM, SIGHUP };
static const int appseal_fatal_signals[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTRAP };

static void appseal_on_termination(int sig) { appseal_pending_signal = sig; }

static void appseal_on_fatal(int sig) {
    if (appseal_curses_active) { appseal_curses_active = 0; endwin(); }
    signal(sig, SIG_DFL);
    raise(sig);
}

void appseal_curses_install_signal_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = appseal_on_termination;
    for (size_t i = 0; i < sizeof appseal_termination_signals / sizeof(int); i++)
        sigaction(appseal_termination_signals[i], &action, NULL);
    action.sa_handler = appseal_on_fatal;
    action.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < sizeof appseal_fatal_signals / sizeof(int); i++)
        sigaction(appseal_fatal_signals[i], &action, NULL);
}

void appseal_curses_restore_signal_handlers(void) {
    for (size_t i = 0; i < sizeof appseal_termination_signals / sizeof(int); i++)
        signal(appseal_termination_signals[i], SIG_DFL);
    for (size_t i = 0; i < sizeof appseal_fatal_signals / sizeof(int); i++)
        signal(appseal_fatal_signals[i], SIG_DFL);
}

void appseal_curses_set_active(int active) { appseal_curses_active = active; }

int appseal_curses_take_pending_signal(void) {
    int sig = appseal_pending_signal;
    appseal_pending_signal = 0;
    return sig;
}

WINDOW *appseal_curses_stdscr(void) { return stdscr; }
int appseal_curses_colors(void) { return COLORS; }
int appseal_curses_color_pairs(void) { return COLOR_PAIRS; }
