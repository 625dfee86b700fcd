import { Logger } from '@nestjs/common';

// Unit tests assert on behaviour; the warnings services log along the way are noise here.
Logger.overrideLogger(false);
