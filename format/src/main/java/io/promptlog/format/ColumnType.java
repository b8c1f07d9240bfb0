package io.promptlog.format;

import java.util.List;

/**
 * The type of a dataset column, with its Parquet and DuckDB renderings. Lists and maps use Parquet's
 * standard three-level layout, so DuckDB, Spark and parquet-java read them without options.
 *
 * <table>
 * <caption>Renderings</caption>
 * <tr><th>type</th><th>Parquet</th><th>DuckDB</th></tr>
 * <tr><td>STRING</td><td>BINARY (STRING)</td><td>VARCHAR</td></tr>
 * <tr><td>INT32</td><td>INT32</td><td>INTEGER</td></tr>
 * <tr><td>INT64</td><td>INT64</td><td>BIGINT</td></tr>
 * <tr><td>FLOAT64</td><td>DOUBLE</td><td>DOUBLE</td></tr>
 * <tr><td>BOOL</td><td>BOOLEAN</td><td>BOOLEAN</td></tr>
 * <tr><td>TIMESTAMP_MICROS</td><td>INT64 TIMESTAMP(MICROS, UTC)</td><td>TIMESTAMP WITH TIME ZONE</td></tr>
 * <tr><td>DATE</td><td>(hive partition directory {@code date=YYYY-MM-DD})</td><td>DATE</td></tr>
 * <tr><td>STRING_LIST</td><td>LIST&lt;STRING&gt;</td><td>VARCHAR[]</td></tr>
 * <tr><td>MESSAGES</td><td>LIST&lt;STRUCT&lt;{@link #MESSAGE_FIELDS}&gt;&gt;, role required</td><td>STRUCT(...)[]</td></tr>
 * <tr><td>ATTRIBUTES</td><td>MAP&lt;STRING, STRING&gt;</td><td>MAP(VARCHAR, VARCHAR)</td></tr>
 * </table>
 */
public enum ColumnType {
    STRING,
    INT32,
    INT64,
    FLOAT64,
    BOOL,
    TIMESTAMP_MICROS,
    /** Days since 1970-01-01; only the {@code date} partition, which lives in the directory name. */
    DATE,
    STRING_LIST,
    MESSAGES,
    ATTRIBUTES;

    /** The fields of one message, in order; each a string, {@code role} required. */
    public static final List<String> MESSAGE_FIELDS = List.of("role", "content", "name", "tool_call_id");

    /** The name of the message field that is never null. */
    public static final String MESSAGE_ROLE = "role";

    /** The name of the message field that holds the text (the one that does not compress by dictionary). */
    public static final String MESSAGE_CONTENT = "content";

    /** The Parquet declaration of a column of this type (one line of a {@code message} schema). */
    String parquetDeclaration(String name, boolean required) {
        String rep = required ? "required " : "optional ";
        return switch (this) {
            case STRING -> rep + "binary " + name + " (STRING);";
            case INT32 -> rep + "int32 " + name + ";";
            case INT64 -> rep + "int64 " + name + ";";
            case FLOAT64 -> rep + "double " + name + ";";
            case BOOL -> rep + "boolean " + name + ";";
            case TIMESTAMP_MICROS -> rep + "int64 " + name + " (TIMESTAMP(MICROS,true));";
            case DATE -> throw new IllegalStateException(name + " is a partition column: it is not stored in the files");
            case STRING_LIST -> rep + "group " + name + " (LIST) { repeated group list { optional binary element (STRING); } }";
            case MESSAGES -> {
                StringBuilder s = new StringBuilder(rep + "group " + name + " (LIST) { repeated group list { optional group element {");
                for (String f : MESSAGE_FIELDS) {
                    s.append(f.equals(MESSAGE_ROLE) ? " required" : " optional").append(" binary ").append(f).append(" (STRING);");
                }
                yield s.append(" } } }").toString();
            }
            case ATTRIBUTES -> rep + "group " + name + " (MAP) { repeated group key_value {"
                    + " required binary key (STRING); optional binary value (STRING); } }";
        };
    }

    /**
     * The DuckDB type DuckDB gives a column of this type when it reads the dataset (struct field names
     * quoted: {@code name} is a keyword; DuckDB's DESCRIBE quotes only the keywords).
     */
    public String duckDbType() {
        return switch (this) {
            case STRING -> "VARCHAR";
            case INT32 -> "INTEGER";
            case INT64 -> "BIGINT";
            case FLOAT64 -> "DOUBLE";
            case BOOL -> "BOOLEAN";
            case TIMESTAMP_MICROS -> "TIMESTAMP WITH TIME ZONE";
            case DATE -> "DATE";
            case STRING_LIST -> "VARCHAR[]";
            case MESSAGES -> {
                StringBuilder s = new StringBuilder("STRUCT(");
                for (int i = 0; i < MESSAGE_FIELDS.size(); i++) {
                    s.append(i == 0 ? "" : ", ").append('"').append(MESSAGE_FIELDS.get(i)).append("\" VARCHAR");
                }
                yield s.append(")[]").toString();
            }
            case ATTRIBUTES -> "MAP(VARCHAR, VARCHAR)";
        };
    }
}
