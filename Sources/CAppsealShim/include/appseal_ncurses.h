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

#endif
