package dev.asyncjsse.tickets;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;

/** Collects what the ticket key code logs (System.Logger goes to java.util.logging here), while open. */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger("dev.asyncjsse.tickets");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** The formatted messages logged at WARNING or above. */
    List<String> warnings() {
        SimpleFormatter f = new SimpleFormatter();
        return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(f::formatMessage).collect(Collectors.toList());
    }

    @Override
    public void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
