#ifndef APPSEAL_NCURSES_H
#define APPSEAL_NCURSES_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <ncursesw/curses.h>

// Attribute and colour-pair constants are macros (NCURSES_BITS), invisible to Swift.
unsigned int appseal_A_NORMAL(void);
unsigned int appseal_A_BOLD(void);
unsigned int appseal_A_REVERSE(void);
unsigned int appseal_A_UNDERLINE(void);
unsigned int appseal_A_DIM(void);
unsigned int appseal_COLOR_PAIR(int pair);

// Mouse masks are macros (NCURSES_MOUSE_MASK): the clicks and wheel steps the console asks for.
mmask_t appseal_mouse_wanted_mask(void);
// Classifies a button state without the macros: 1 click, 2 wheel up, 3 wheel down, 0 other.
int appseal_mouse_kind(mmask_t state);
// Signal handlers live in C so they stay async-signal-safe and never enter the Swift runtime:
// SIGINT/SIGTERM/SIGHUP only record the signal for the event loop; fatal signals call endwin
// (when curses is active) and re-raise with the default action.
void appseal_curses_install_signal_handlers(void);
void appseal_curses_restore_signal_handlers(void);
void appseal_curses_set_active(int active);
// The termination signal received since the last call, or 0.
int appseal_curses_take_pending_signal(void);
// Swift 6 refuses curses' global variables (shared mutable state); these read them.
WINDOW *appseal_curses_stdscr(void);
int appseal_curses_colors(void);
int appseal_curses_color_pairs(void);

#endif
