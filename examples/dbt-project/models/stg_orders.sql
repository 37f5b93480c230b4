select
    id as order_id,
    customer_id,
    status,
    cast(amount as decimal(10, 2)) as amount
from {{ ref('raw_orders') }}
