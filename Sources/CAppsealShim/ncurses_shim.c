#include "appseal_ncurses.h"

unsigned int appseal_A_NORMAL(void) { return A_NORMAL; }
unsigned int appseal_A_BOLD(void) { return A_BOLD; }
unsigned int appseal_A_REVERSE(void) { return A_REVERSE; }
unsigned int appseal_A_UNDERLINE(void) { return A_UNDERLINE; }
unsigned int appseal_A_DIM(void) { return A_DIM; }
unsigned int appseal_COLOR_PAIR(int pair) { return (unsigned int)COLOR_PAIR(pair); }
