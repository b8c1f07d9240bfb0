package io.promptlog.writer;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Child JVM main for {@link EmbedWithoutFlagsTest}: an app started without promptlog's JVM flags uses the
 * zero-allocation path ({@link PromptLog#begin()}) and calls every public method of {@link CallRecorder}
 * (found by reflection, so a setter added later is covered too), in one-phase and two-phase records, and
 * {@link PromptLog#resume}. Prints {@code threw <method> <throwable>} for anything thrown out of a recorder
 * method, {@code status <name> <code>} for the publishing ones, then the counters and
 * {@code app still running}.
 */
public final class RecorderWithoutFlagsChild {
    private RecorderWithoutFlagsChild() {
    }

    public static void main(String[] args) {
        Method[] methods = CallRecorder.class.getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::toString));
        try (PromptLog log = PromptLog.open(Path.of(args[0]))) {
            // one record with every setter, committed by close(); then a two-phase call
            try (CallRecorder r = log.begin()) {
                callEverySetter(r, methods);
            }
            CallRecorder r = log.begin();
            callEverySetter(r, methods);
            report("commit", () -> r.commit());
            report("commit-again", () -> r.commit());
            CallRecorder two = log.begin().requestModel("gpt-4o").systemPrompt("be brief").message("user", "hi");
            report("send", () -> two.send());
            System.out.println("inFlight " + two.inFlight());
            two.response("hello").outputTokens(3);
            report("complete", () -> two.complete());
            CallRecorder failing = log.begin().requestModel("gpt-4o");
            report("send", () -> failing.send());
            report("fail", () -> failing.fail("Timeout", "no answer"));
            CallRecorder resumed = log.resume(0L);
            resumed.response("late");
            report("resume-complete", () -> resumed.complete());
            report("append", () -> log.append(LlmCall.builder().requestModel("gpt-4o").response("x").build()));
            PromptLogStats s = log.stats();
            System.out.println("available " + log.isAvailable());
            System.out.println("dropped " + s.droppedUnavailable());
            System.out.println("appended " + s.appended());
            System.out.println("lastError " + s.lastError());
        } catch (Throwable t) {
            System.out.println("threw open/close " + t);
        }
        System.out.println("app still running");
    }

    private interface Status {
        int get();
    }

    private static void report(String name, Status s) {
        try {
            System.out.println("status " + name + " " + s.get());
        } catch (Throwable t) {
            System.out.println("threw " + name + " " + t);
        }
    }

    private static void callEverySetter(CallRecorder r, Method[] methods) {
        for (Method m : methods) {
            if (m.getDeclaringClass() != CallRecorder.class || Modifier.isStatic(m.getModifiers())
                    || m.getReturnType() != CallRecorder.class || m.getName().equals("begin")) {
                continue;
            }
            Object[] values = new Object[m.getParameterCount()];
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                values[i] = sample(types[i]);
            }
            if (types.length > 0 && types[0] == CallField.class) {
                for (CallField f : CallField.values()) {
                    values[0] = f;
                    invoke(r, m, values);
                }
            } else {
                invoke(r, m, values);
            }
        }
    }

    private static void invoke(CallRecorder r, Method m, Object[] values) {
        try {
            m.invoke(r, values);
        } catch (InvocationTargetException e) {
            System.out.println("threw " + m.getName() + " " + e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object sample(Class<?> type) {
        if (type == CharSequence.class || type == String.class) {
            return "sample \u00e9\u4e2d text";
        }
        if (type == long.class) {
            return 7L;
        }
        if (type == int.class) {
            return 7;
        }
        if (type == double.class) {
            return 0.5;
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == CallField.class) {
            return CallField.RESPONSE; // replaced by each field in turn
        }
        throw new IllegalStateException("no sample value for a CallRecorder parameter of type " + type);
    }
}
