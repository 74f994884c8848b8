import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What a BI tool does through the ClickHouse JDBC driver, from the command line: connect once,
 * then answer each request the way a tool's query editor or schema browser would.
 *
 *   JDBC_PASSWORD=… java -cp <driver classpath> JdbcQuery.java <jdbc url> <user> <request>…
 *
 * A request is one of
 *   query:<sql>         Statement.executeQuery
 *   tables:<pattern>    DatabaseMetaData.getTables in the connection's schema
 *   columns:<pattern>   DatabaseMetaData.getColumns of the tables matching the pattern
 *   schemas:<pattern>   DatabaseMetaData.getSchemas
 *   server:             product, version and user, as a tool shows them after connecting
 *
 * Prints one JSON line per request: {"columns":[…],"rows":[[…],…]} with every value as the
 * driver's getString (null for NULL), or {"error":"…","sqlState":"…"} when the driver threw; a
 * failed request does not stop the next. The password comes from the environment, never from the
 * command line, where other users of the machine could read it.
 */
public final class JdbcQuery {
  public static void main(String[] args) throws SQLException {
    if (args.length < 3) {
      System.err.println("usage: JdbcQuery <jdbc url> <user> query:<sql>|tables:<pattern>|columns:<pattern>|schemas:<pattern>|server: …");
      System.exit(2);
    }
    Properties properties = new Properties();
    properties.setProperty("user", args[1]);
    properties.setProperty("password", System.getenv().getOrDefault("JDBC_PASSWORD", ""));
    try (Connection connection = DriverManager.getConnection(args[0], properties)) {
      for (int i = 2; i < args.length; i++) {
        String request = args[i];
        int colon = request.indexOf(':');
        String kind = colon < 0 ? request : request.substring(0, colon);
        String argument = colon < 0 ? "" : request.substring(colon + 1);
        try {
          System.out.println(answer(connection, kind, argument));
        } catch (SQLException e) {
          System.out.println("{\"error\":" + json(e.getMessage()) + ",\"sqlState\":" + json(e.getSQLState()) + "}");
        }
      }
    }
  }

  private static String answer(Connection connection, String kind, String argument) throws SQLException {
    DatabaseMetaData metadata = connection.getMetaData();
    switch (kind) {
      case "query":
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(argument)) {
          return table(rows);
        }
      case "tables":
        try (ResultSet rows = metadata.getTables(null, connection.getSchema(), argument, null)) {
          return table(rows);
        }
      case "columns":
        try (ResultSet rows = metadata.getColumns(null, connection.getSchema(), argument, "%")) {
          return table(rows);
        }
      case "schemas":
        try (ResultSet rows = metadata.getSchemas(null, argument)) {
          return table(rows);
        }
      case "server":
        return "{\"columns\":[\"product\",\"version\",\"user\",\"schema\"],\"rows\":[["
            + String.join(",", json(metadata.getDatabaseProductName()), json(metadata.getDatabaseProductVersion()),
                json(metadata.getUserName()), json(connection.getSchema()))
            + "]]}";
      default:
        throw new SQLException("unknown request " + kind + ": query, tables, columns, schemas or server");
    }
  }

  private static String table(ResultSet rows) throws SQLException {
    ResultSetMetaData meta = rows.getMetaData();
    int count = meta.getColumnCount();
    List<String> columns = new ArrayList<>();
    for (int i = 1; i <= count; i++) columns.add(json(meta.getColumnLabel(i)));
    List<String> lines = new ArrayList<>();
    while (rows.next()) {
      List<String> values = new ArrayList<>();
      for (int i = 1; i <= count; i++) values.add(json(rows.getString(i)));
      lines.add("[" + String.join(",", values) + "]");
    }
    return "{\"columns\":[" + String.join(",", columns) + "],\"rows\":[" + String.join(",", lines) + "]}";
  }

  /** A JSON string, or null; ASCII only, so no console encoding can garble a place name. */
  private static String json(String text) {
    if (text == null) return "null";
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') out.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }
}
